package cache

import "context"

// PageResult says what the page cache did with a request, for the request
// log.
type PageResult string

// The page cache's answers.
const (
	PageHit    PageResult = "hit"    // served from the cache
	PageMiss   PageResult = "miss"   // rendered by the view (and stored if it could be)
	PageBypass PageResult = "bypass" // not a cacheable request (method other than GET/HEAD)
	PageStale  PageResult = "stale"  // an expired page served within its stale window
	PageError  PageResult = "error"  // the cache backend failed (and the alias does not fail open)
)

type pageResultKey struct{}

// TrackPage returns a context in which the page cache records its result
// into *res (left "" when no page cache saw the request).
// TrackPageOutcome gives the reason as well.
func TrackPage(ctx context.Context) (context.Context, *PageResult) {
	o := new(PageOutcome)
	return context.WithValue(ctx, pageResultKey{}, o), &o.Result
}

func setPageResult(ctx context.Context, r PageResult) {
	if o, ok := ctx.Value(pageResultKey{}).(*PageOutcome); ok {
		o.Result, o.Reason = r, BypassNone
	}
}
