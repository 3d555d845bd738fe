package cache

import (
	"sync"
	"sync/atomic"
	"time"
)

// CoarseClock is a clock that reads the system time once per resolution
// instead of on every call. Reading the time costs about 100 ns on virtual
// machines (kvm-clock), more than a whole locmem hit; a cache only needs
// expiry to the millisecond. A Handler's aliases use one by default.
type CoarseClock struct {
	now     atomic.Int64 // Unix nanoseconds
	res     time.Duration
	start   sync.Once
	stop    chan struct{}
	stopped sync.Once
}

// NewCoarseClock returns a clock with the given resolution; its ticker
// starts on the first Now and ends with Stop.
func NewCoarseClock(resolution time.Duration) *CoarseClock {
	return &CoarseClock{res: resolution, stop: make(chan struct{})}
}

// Now returns the time, at most one resolution old.
func (c *CoarseClock) Now() time.Time {
	c.start.Do(func() {
		c.now.Store(time.Now().UnixNano())
		go c.run()
	})
	return time.Unix(0, c.now.Load())
}

func (c *CoarseClock) run() {
	t := time.NewTicker(c.res)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.now.Store(time.Now().UnixNano())
		case <-c.stop:
			return
		}
	}
}

// Stop ends the ticker; Now then returns the last time read.
func (c *CoarseClock) Stop() {
	c.stopped.Do(func() { close(c.stop) })
}
