package templates

import "time"

// SetNow makes {% now %} and timesince read f; the returned func restores
// the clock.
func SetNow(f func() time.Time) (restore func()) {
	prev := now
	now = f
	return func() { now = prev }
}
