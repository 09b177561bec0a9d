// Package clamav scans uploads with ClamAV's daemon, clamd, over TCP with
// its INSTREAM command, and holds a fake clamd (Fake) that speaks the same
// protocol for tests and demo mode.
//
// The protocol: the client sends "zINSTREAM\0", then the file in chunks,
// each preceded by its length as four bytes in network order, and a chunk
// of length zero to end; clamd answers one NUL-terminated line:
// "stream: OK", "stream: <signature> FOUND", or "<message> ERROR" (for
// instance when the stream is longer than its StreamMaxLength).
//
// Client never decides that a file is clean unless clamd said "OK": every
// other outcome is an error, and the caller refuses the upload.
package clamav

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/submission"
)

// Client talks to one clamd.
type Client struct {
	Addr    string        // host:port of clamd's TCP socket (TCPSocket in clamd.conf)
	Timeout time.Duration // the whole scan, connecting included; 0: DefaultTimeout
}

// DefaultTimeout bounds a scan: a 10 MB file takes clamd well under a
// second; a clamd that takes longer is treated as down.
const DefaultTimeout = 30 * time.Second

// chunk is how much is sent at a time (clamd reads up to its own buffer).
const chunk = 64 << 10

// maxReply bounds what is read of an answer.
const maxReply = 4 << 10

// Scan sends data to clamd. It returns nil when clamd says the stream is
// clean, an error wrapping submission.ErrInfected with the signature's name
// when it found something, and any other error when it could not tell
// (unreachable, timeout, an ERROR reply, a reply it does not understand).
func (c *Client) Scan(ctx context.Context, data []byte) (err error) {
	defer func() {
		if err != nil && !errors.Is(err, submission.ErrInfected) {
			err = fmt.Errorf("clamd %s: %w", c.Addr, err)
		}
	}()
	conn, err := c.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	w := bufio.NewWriterSize(conn, chunk+4)
	w.WriteString("zINSTREAM\x00")
	var size [4]byte
	for rest := data; len(rest) > 0; {
		n := min(len(rest), chunk)
		binary.BigEndian.PutUint32(size[:], uint32(n))
		w.Write(size[:])
		w.Write(rest[:n])
		rest = rest[n:]
	}
	binary.BigEndian.PutUint32(size[:], 0)
	w.Write(size[:])
	werr := w.Flush()
	// clamd may stop reading and answer early (a stream over its limit):
	// its answer says more than the broken pipe.
	reply, rerr := readReply(conn)
	if rerr != nil {
		if werr != nil {
			return werr
		}
		return rerr
	}
	return parse(reply)
}

// Ping asks clamd whether it is there ("PONG").
func (c *Client) Ping(ctx context.Context) error {
	conn, err := c.dial(ctx)
	if err != nil {
		return fmt.Errorf("clamd %s: %w", c.Addr, err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("clamd %s: %w", c.Addr, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return fmt.Errorf("clamd %s: %w", c.Addr, err)
	}
	if reply != "PONG" {
		return fmt.Errorf("clamd %s: unexpected reply to PING: %q", c.Addr, reply)
	}
	return nil
}

func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, "tcp", c.Addr)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(deadline)
	// A request that is cancelled stops waiting for clamd too.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	return &stopConn{Conn: conn, stop: stop}, nil
}

type stopConn struct {
	net.Conn
	stop func() bool
}

func (c *stopConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// readReply reads one answer, which ends with NUL (z-commands) or at the
// end of the connection.
func readReply(r io.Reader) (string, error) {
	b, err := bufio.NewReader(io.LimitReader(r, maxReply)).ReadBytes(0)
	switch {
	case err == nil:
		b = b[:len(b)-1]
	case errors.Is(err, io.EOF) && len(b) > 0:
	case errors.Is(err, io.EOF):
		return "", errors.New("connection closed without a reply")
	default:
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func parse(reply string) error {
	// A session id may precede the answer ("1: stream: OK"): only
	// "stream:" matters.
	if i := strings.Index(reply, "stream: "); i >= 0 {
		reply = reply[i+len("stream: "):]
	}
	switch {
	case reply == "OK":
		return nil
	case strings.HasSuffix(reply, " FOUND"):
		return fmt.Errorf("%w: %s", submission.ErrInfected, strings.TrimSuffix(reply, " FOUND"))
	case strings.HasSuffix(reply, " ERROR"):
		return fmt.Errorf("clamd refused the scan: %s", strings.TrimSuffix(reply, " ERROR"))
	}
	return fmt.Errorf("unexpected reply %q", reply)
}
