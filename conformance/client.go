package conformance

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Field is one request header line, sent as written: names are not
// canonicalised (X_User stays X_User) and a name may repeat.
type Field struct{ Name, Value string }

// Request is one HTTP/1.1 request as it goes on the wire.
type Request struct {
	Method string
	Target string // the request target (path and query), verbatim
	Host   string // the Host header's value (may be empty)
	Header []Field
}

// String is the request in one line, for reports.
func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s [Host: %s]", r.Method, r.Target, r.Host)
	for _, f := range r.Header {
		fmt.Fprintf(&b, " [%s: %s]", f.Name, f.Value)
	}
	return b.String()
}

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// requestTimeout bounds one request, connection to last byte.
const requestTimeout = 15 * time.Second

// send writes req to addr on a new connection ("Connection: close") and
// reads the whole response. Writing the bytes ourselves lets a case send
// what net/http's client would not (an empty Host, X_User, repeated lines).
func send(ctx context.Context, addr string, req Request) (*Response, error) {
	wire, err := req.wire()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if _, err := io.WriteString(conn, wire); err != nil {
		return nil, fmt.Errorf("write request to %s: %w", addr, err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: req.Method})
	if err != nil {
		return nil, fmt.Errorf("read response from %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body from %s: %w", addr, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, nil
}

// wire is the request's bytes. Fields must not hold CR or LF.
func (r Request) wire() (string, error) {
	var b strings.Builder
	check := func(what, s string) error {
		if strings.ContainsAny(s, "\r\n") {
			return fmt.Errorf("request %s %q holds CR or LF", what, s)
		}
		return nil
	}
	if err := check("target", r.Target); err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", r.Method, r.Target)
	if err := check("host", r.Host); err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "Host: %s\r\n", r.Host)
	for _, f := range r.Header {
		if err := check("header", f.Name+f.Value); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s: %s\r\n", f.Name, f.Value)
	}
	b.WriteString("Connection: close\r\n")
	if r.Method == http.MethodPost {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	return b.String(), nil
}
