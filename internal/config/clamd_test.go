package config

import (
	"strings"
	"testing"
)

// RADNICE_CLAMD_ADDR: empty means no scanning; otherwise a host and a port.
func TestClamdAddr(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil), nil)
	if err != nil || c.ClamdAddr != "" {
		t.Fatalf("default: %q, %v", c.ClamdAddr, err)
	}
	for _, ok := range []string{"127.0.0.1:3310", "clamav.internal:3310", "[::1]:3310"} {
		c, err := Load(env(map[string]string{"RADNICE_CLAMD_ADDR": ok}), nil)
		if err != nil || c.ClamdAddr != ok {
			t.Errorf("%q: %q, %v", ok, c.ClamdAddr, err)
		}
	}
	for _, bad := range []string{"3310", ":3310", "clamav:0", "clamav:port", "clamav:70000", "/run/clamav/clamd.ctl"} {
		_, err := Load(env(map[string]string{"RADNICE_CLAMD_ADDR": bad}), nil)
		if err == nil || !strings.Contains(err.Error(), "RADNICE_CLAMD_ADDR") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
