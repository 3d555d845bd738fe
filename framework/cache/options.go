package cache

// Option adjusts one call, as Django's keyword arguments do.
type Option func(*callOptions)

type callOptions struct {
	version    int
	hasVersion bool
}

// Version makes the call use version v instead of the alias's VERSION
// (Django's version= argument).
func Version(v int) Option {
	return func(o *callOptions) { o.version, o.hasVersion = v, true }
}

func (c *Cache) version(opts []Option) int {
	if len(opts) == 0 {
		return c.defaultVersion
	}
	var o callOptions
	for _, f := range opts {
		f(&o)
	}
	if o.hasVersion {
		return o.version
	}
	return c.defaultVersion
}
