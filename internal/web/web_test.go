package web

import (
	"errors"
	"fmt"
	"testing"

	"github.com/radnice/radnice/internal/derr"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]int{
		fmt.Errorf("x: %w", derr.ErrNotFound): 404,
		derr.ErrForbidden:                     403,
		derr.Invalid("f", "k", "m"):           400,
		fmt.Errorf("y: %w", derr.ErrConflict): 409,
		errors.New("database is on fire"):     500,
	} {
		if got := StatusOf(err); got != want {
			t.Errorf("StatusOf(%v) = %d, want %d", err, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/kontakty": "/kontakty", "/a?b=c": "/a?b=c", "": "/", "//evil.test": "/", "/\\evil.test": "/",
		"https://evil.test": "/", "kontakty": "/", "/x\r\nSet-Cookie: a=b": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
