package records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one call to records management, a registration
// with its attachments included.
const DefaultTimeout = 30 * time.Second

// maxAnswer bounds what is read of an answer.
const maxAnswer = 4 << 20

// Client is the generic REST/JSON adapter (the protocol is in the package
// comment).
type Client struct {
	BaseURL string // e.g. https://spisovka.example.cz/api/v1, without a trailing slash
	Token   string
	// HTTP makes the calls; nil uses a client with DefaultTimeout.
	HTTP *http.Client
	Log  *slog.Logger
}

var _ System = (*Client)(nil)

// NewClient returns the adapter for base with token.
func NewClient(base, token string, hc *http.Client, log *slog.Logger) *Client {
	return &Client{BaseURL: strings.TrimRight(base, "/"), Token: token, HTTP: hc, Log: log}
}

// defaultHTTP has timeouts on every phase, so a system that accepts the
// connection and then says nothing fails the attempt instead of holding a
// job worker.
var defaultHTTP = &http.Client{
	Timeout: DefaultTimeout,
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: DefaultTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
	},
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Register files the case under its key.
func (c *Client) Register(ctx context.Context, cs Case) (Registration, error) {
	var reg Registration
	if cs.Key == "" {
		return reg, &Error{Op: "register", Message: "the case has no idempotency key"}
	}
	body, err := json.Marshal(cs)
	if err != nil {
		return reg, &Error{Op: "register", Err: err}
	}
	err = c.call(ctx, "register", http.MethodPost, "/cases", body, map[string]string{"Idempotency-Key": cs.Key}, &reg)
	if err != nil {
		return reg, err
	}
	if reg.CaseID == "" || reg.Reference == "" {
		// Registered or not, we cannot tell: ask again under the same key.
		return reg, &Error{Op: "register", Status: http.StatusOK, Message: "the answer names no case or reference", Temporary: true}
	}
	return reg, nil
}

// changesPage is the answer of GET /changes.
type changesPage struct {
	Changes []Change `json:"changes"`
	Cursor  string   `json:"cursor"`
	More    bool     `json:"more"`
}

// pageSize is how many changes one call asks for.
const pageSize = 200

// Changes returns one page of what happened after cursor.
func (c *Client) Changes(ctx context.Context, cursor string) ([]Change, string, error) {
	q := url.Values{"limit": {strconv.Itoa(pageSize)}}
	if cursor != "" {
		q.Set("after", cursor)
	}
	var page changesPage
	if err := c.call(ctx, "changes", http.MethodGet, "/changes?"+q.Encode(), nil, nil, &page); err != nil {
		return nil, cursor, err
	}
	if page.Cursor == "" {
		page.Cursor = cursor
	}
	return page.Changes, page.Cursor, nil
}

// errorBody is the protocol's error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// call does one request and decodes a 2xx answer into out.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte, header map[string]string, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return &Error{Op: op, Err: err} // a bad base URL: permanent
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	started := time.Now()
	resp, err := c.http().Do(req)
	if err != nil {
		// A timeout, a refused or broken connection: the system may or may
		// not have done it; the same key makes asking again safe.
		c.log().Warn("records management unreachable", "op", op, "host", req.URL.Host, "after", time.Since(started).Round(time.Millisecond).String(),
			"err", transportReason(err))
		return &Error{Op: op, Temporary: true, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &Error{Op: op, Status: resp.StatusCode, Temporary: true, Err: err}
	}
	if resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			return &Error{Op: op, Status: resp.StatusCode, Message: "unreadable answer", Temporary: true, Err: err}
		}
		return nil
	}
	e := &Error{Op: op, Status: resp.StatusCode}
	var eb errorBody
	if json.Unmarshal(data, &eb) == nil {
		e.Code, e.Message = eb.Error.Code, eb.Error.Message
	}
	// 401, 403 and 404 say the town's configuration is wrong (a token, an
	// address): retried with back-off, so the submissions filed meanwhile
	// are handed off once the configuration is mended, not dropped.
	e.Temporary = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout ||
		resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound
	if e.Temporary {
		c.log().Warn("records management failed", "op", op, "host", req.URL.Host, "status", resp.StatusCode, "code", e.Code)
	} else {
		// The message may name the filer: the code and status only.
		c.log().Error("records management refused", "op", op, "host", req.URL.Host, "status", resp.StatusCode, "code", e.Code)
	}
	return e
}

// transportReason says why a call got no answer without the URL, which
// may carry the cursor.
func transportReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Sprint(ue.Err)
	}
	return err.Error()
}
