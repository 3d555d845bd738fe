package conformance

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// stepResult is one request and both twins' answers.
type stepResult struct {
	Req              Request
	Django, Go       *Response
	DjangoErr, GoErr error
}

// caseResult is a case run in one entry against both twins.
type caseResult struct {
	In                       *instance
	Steps                    []stepResult
	DjangoKeys, GoKeys       []string
	DjangoKeysErr, GoKeysErr error
}

// pair is the two twins in one mode.
type pair struct{ Django, Go *server }

// runAll runs the instances on workers goroutines, the ones that sleep
// first so that their waits overlap the rest, and returns the results in
// the instances' order.
func runAll(ctx context.Context, ins []*instance, twins map[string]pair, workers int) []*caseResult {
	order := make([]int, len(ins))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ins[order[a]].sleeps() > ins[order[b]].sleeps() })
	results := make([]*caseResult, len(ins))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runCase(ctx, ins[i], twins[ins[i].Entry.Mode])
			}
		}()
	}
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// sleeps is how long the instance waits between its steps.
func (in *instance) sleeps() time.Duration {
	var d time.Duration
	for _, s := range in.Delay {
		d += s
	}
	return d
}

// runCase sends each step to both twins at once, in order, then lists
// both twins' page keys for the case's URLs.
func runCase(ctx context.Context, in *instance, tw pair) *caseResult {
	res := &caseResult{In: in}
	for i, req := range in.Reqs {
		if d := in.Delay[i]; d > 0 {
			time.Sleep(d)
		}
		sr := stepResult{Req: req}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			sr.Go, sr.GoErr = send(ctx, tw.Go.Addr, req)
		}()
		sr.Django, sr.DjangoErr = send(ctx, tw.Django.Addr, req)
		wg.Wait()
		res.Steps = append(res.Steps, sr)
	}
	hashes := in.keyHashes()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		res.GoKeys, res.GoKeysErr = listKeys(ctx, tw.Go.Addr, hashes)
	}()
	res.DjangoKeys, res.DjangoKeysErr = listKeys(ctx, tw.Django.Addr, hashes)
	wg.Wait()
	return res
}

// listKeys asks a twin's POST /_keys/ for the live page keys (cache_page
// and cache_header; our own cache_index entries are not Django's) of the
// URIs with these md5 hashes.
func listKeys(ctx context.Context, addr string, hashes []string) ([]string, error) {
	q := url.Values{"h": hashes}
	resp, err := send(ctx, addr, Request{Method: http.MethodPost, Target: "/_keys/?" + q.Encode(), Host: "localhost"})
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("list keys: status %d: %s", resp.Status, clip(resp.Body))
	}
	var keys []string
	sc := bufio.NewScanner(strings.NewReader(resp.Body))
	for sc.Scan() {
		k := sc.Text()
		if strings.Contains(k, "views.decorators.cache.cache_page.") || strings.Contains(k, "views.decorators.cache.cache_header.") {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
