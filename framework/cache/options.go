package cache

// Option adjusts one call, as Django's keyword arguments do.
type Option func(*callOptions)

type callOptions struct {
	version    int
	hasVersion bool
	tags       []string
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

// callTags returns the tags the options attach (Tags), nil for none.
func callTags(opts []Option) []string {
	if len(opts) == 0 {
		return nil
	}
	var o callOptions
	for _, f := range opts {
		f(&o)
	}
	return o.tags
}
