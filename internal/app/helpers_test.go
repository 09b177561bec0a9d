package app

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
)

func httptestRequestTLS(host string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = host
	r.TLS = &tls.ConnectionState{}
	return r
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
