package clamav

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// EICAR is the antivirus test file every scanner reports as a virus
// (harmless; see eicar.org). It is put together at run time so that this
// package's source is not itself taken for the test file.
func EICAR() []byte {
	return []byte(`X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*")
}

// EICARSignature is the name clamd gives the test file.
const EICARSignature = "Win.Test.EICAR_HDB-1"

// Fake is a clamd for tests and demo mode: it answers PING, VERSION and
// INSTREAM over TCP as clamd does (z-commands NUL-terminated, n-commands
// and plain ones newline-terminated), finds the EICAR test string and
// nothing else, and refuses a stream longer than its StreamMaxLength (25 MB
// unless changed with SetMaxStream) as clamd does.
type Fake struct {
	ln        net.Listener
	maxStream atomic.Int64
	stalled   atomic.Bool
	scans     atomic.Int64
	mu        sync.Mutex
	conns     map[net.Conn]bool
	wg        sync.WaitGroup
}

// StartFake listens on addr ("127.0.0.1:0" picks a free port) and serves
// until Close.
func StartFake(addr string) (*Fake, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := &Fake{ln: ln, conns: map[net.Conn]bool{}}
	f.maxStream.Store(25 << 20)
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

// Addr is where the fake listens (host:port).
func (f *Fake) Addr() string { return f.ln.Addr().String() }

// Scans counts the streams scanned to the end.
func (f *Fake) Scans() int64 { return f.scans.Load() }

// SetMaxStream sets the longest stream scanned (clamd's StreamMaxLength).
func (f *Fake) SetMaxStream(n int64) { f.maxStream.Store(n) }

// Stall makes the fake accept connections and read what is sent but never
// answer, as a hung clamd does (tests of timeouts).
func (f *Fake) Stall(on bool) { f.stalled.Store(on) }

// Close stops listening and ends every connection.
func (f *Fake) Close() error {
	err := f.ln.Close()
	f.mu.Lock()
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
	return err
}

func (f *Fake) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns[c] = true
		f.mu.Unlock()
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer func() {
				f.mu.Lock()
				delete(f.conns, c)
				f.mu.Unlock()
				c.Close()
			}()
			f.handle(c)
		}()
	}
}

// handle serves one command, as clamd does outside a session.
func (f *Fake) handle(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	prefix, err := r.Peek(1)
	if err != nil {
		return
	}
	delim := byte('\n')
	if prefix[0] == 'z' {
		delim = 0
	}
	cmd, err := r.ReadString(delim)
	if err != nil {
		return
	}
	cmd = cmd[:len(cmd)-1]
	if prefix[0] == 'z' || prefix[0] == 'n' {
		cmd = cmd[1:]
	}
	reply := func(s string) { c.Write(append([]byte(s), delim)) }
	switch cmd {
	case "PING":
		reply("PONG")
	case "VERSION":
		reply("ClamAV 1.4.0/radnice-fake")
	case "INSTREAM":
		data, err := f.stream(r)
		if errors.Is(err, errTooLong) {
			reply("INSTREAM size limit exceeded. ERROR")
			return
		}
		if err != nil {
			return
		}
		if f.stalled.Load() {
			io.Copy(io.Discard, r) // until the client gives up
			return
		}
		f.scans.Add(1)
		if bytes.Contains(data, EICAR()) {
			reply("stream: " + EICARSignature + " FOUND")
			return
		}
		reply("stream: OK")
	default:
		reply("UNKNOWN COMMAND")
	}
}

var errTooLong = errors.New("stream too long")

// stream reads INSTREAM's chunks up to the zero-length one.
func (f *Fake) stream(r io.Reader) ([]byte, error) {
	var data []byte
	var size [4]byte
	for {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return nil, err
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			return data, nil
		}
		if int64(len(data))+int64(n) > f.maxStream.Load() {
			return nil, errTooLong
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		data = append(data, buf...)
	}
}
