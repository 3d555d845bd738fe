package templates

import (
	"bytes"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/cache"
)

// fragmentsAlias is the alias the {% cache %} tag uses when CACHES has it
// and the tag names none (Django's "template_fragments").
const fragmentsAlias = "template_fragments"

// cacheNode is one {% cache TIMEOUT NAME [VARY ...] [tags="T1,T2"] [using="ALIAS"] %}.
type cacheNode struct {
	tok     *pongo2.Token // the tag's name, for error positions
	timeout *expr
	name    string // the fragment name, a literal
	vary    []*expr
	using   *expr // nil without using=
	tags    *expr // nil without tags= (beyond Django: cache.InvalidateTags)
	body    *pongo2.NodeWrapper
	stats   *cache.FragmentCounter // hits and misses of the fragment name, for framework/metrics
}

// parseCacheTag is Django's do_cache: the timeout and the vary values are
// expressions resolved at render time, the fragment name is the literal
// text of the second argument, and using="alias" is recognised only as the
// last of more than two arguments. Beyond Django, tags="a,b" (an
// expression giving comma-separated tags) among the trailing keyword
// arguments tags the fragment for cache.InvalidateTags.
func parseCacheTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	body, end, err := doc.WrapUntilTag("endcache")
	if err != nil {
		return nil, err
	}
	if end.Count() > 0 {
		return nil, end.Error("'endcache' takes no arguments.", nil)
	}
	bits := splitBits(args)
	if len(bits) < 2 {
		// Django formats the tag name with %r inside quotes, hence the
		// doubled quotes: "''cache'' tag requires at least 2 arguments."
		return nil, args.Error("''cache'' tag requires at least 2 arguments.", start)
	}
	var usingBit, tagsBit *bit
	for len(bits) > 2 {
		last := bits[len(bits)-1]
		switch {
		case usingBit == nil && isKeyword(args, last, "using"):
			usingBit = &last
		case tagsBit == nil && isKeyword(args, last, "tags"):
			tagsBit = &last
		default:
			goto parsed
		}
		bits = bits[:len(bits)-1]
	}
parsed:

	n := &cacheNode{tok: start, body: body}
	if n.timeout, err = parseExpr(args, bits[0], bits[0].start); err != nil {
		return nil, err
	}
	n.name = tokensText(args, bits[1].start, bits[1].end)
	n.stats = cache.Fragment(n.name)
	for _, b := range bits[2:] {
		x, err := parseExpr(args, b, b.start)
		if err != nil {
			return nil, err
		}
		n.vary = append(n.vary, x)
	}
	// The parser only moves forward: parse the keywords in written order.
	kws := []struct {
		b   *bit
		dst **expr
	}{{usingBit, &n.using}, {tagsBit, &n.tags}}
	if usingBit != nil && tagsBit != nil && tagsBit.start < usingBit.start {
		kws[0], kws[1] = kws[1], kws[0]
	}
	for _, kw := range kws {
		if kw.b != nil {
			if *kw.dst, err = parseExpr(args, *kw.b, kw.b.start+2); err != nil {
				return nil, err
			}
		}
	}
	return n, nil
}

// isKeyword reports whether b is written name=..., i.e. its tokens start
// with the identifier name and "=".
func isKeyword(args *pongo2.Parser, b bit, name string) bool {
	if b.end-b.start < 2 {
		return false
	}
	id, eq := args.Get(b.start), args.Get(b.start+1)
	return id.Typ == pongo2.TokenIdentifier && id.Val == name && eq.Typ == pongo2.TokenSymbol && eq.Val == "="
}

// Execute renders the fragment from the cache, or renders the body and
// stores it. A failing cache (backend down) never fails the page: the body
// is rendered uncached and the error logged.
func (n *cacheNode) Execute(ectx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	timeout, perr := n.resolveTimeout(ectx)
	if perr != nil {
		return perr
	}
	c, alias, perr := n.resolveCache(ectx)
	if perr != nil {
		return perr
	}
	vary := make([]any, len(n.vary))
	for i, x := range n.vary {
		v, known, err := x.resolve(ectx)
		if err != nil {
			return err
		}
		if !known {
			v = "" // Django resolves a missing variable to string_if_invalid, ""
		}
		vary[i] = v
	}
	key := cache.MakeTemplateFragmentKey(n.name, vary...)
	ctx := ContextOf(ectx)
	logFailure := func(op string, err error) {
		slog.Default().WarnContext(ctx, "template fragment cache failed; rendering the fragment uncached",
			slog.String("op", op), slog.String("alias", alias), slog.String("fragment", n.name),
			slog.String("key", key), slog.Any("error", err))
	}

	if c != nil {
		var v any
		found, err := c.Get(ctx, key, &v)
		switch {
		case err != nil:
			logFailure("get", err)
			c = nil
		case found && !isNone(v): // Django: only None is a miss; "" is a hit
			n.stats.Hit()
			_, _ = w.WriteString(fragmentText(v))
			return nil
		}
	}
	n.stats.Miss()

	var buf bytes.Buffer
	if err := n.body.Execute(ectx, &buf); err != nil {
		return err
	}
	if c != nil {
		tags, perr := n.resolveTags(ectx)
		if perr != nil {
			return perr
		}
		if err := c.Set(ctx, key, buf.String(), timeout, cache.Tags(tags...)); err != nil {
			logFailure("set", err)
		}
	}
	_, _ = w.Write(buf.Bytes())
	return nil
}

// resolveTimeout is Django's: None is Forever, anything else goes through
// int().
func (n *cacheNode) resolveTimeout(ectx *pongo2.ExecutionContext) (cache.Timeout, *pongo2.Error) {
	v, known, err := n.timeout.resolve(ectx)
	if err != nil {
		return 0, err
	}
	if !known {
		return 0, ectx.Error(fmt.Sprintf(`"cache" tag got an unknown variable: %s`, pyReprString(n.timeout.text)), n.timeout.tok)
	}
	if isNone(v) {
		return cache.Forever, nil
	}
	t, ok := pyTimeout(v)
	if !ok {
		return 0, ectx.Error(fmt.Sprintf(`"cache" tag got a non-integer timeout value: %s`, pyRepr(v)), n.timeout.tok)
	}
	return t, nil
}

// resolveCache returns the alias's cache: using=, else template_fragments
// when CACHES has it, else default. An unknown using= alias is a template
// error; a default alias that cannot be opened gives a nil cache (the body
// is rendered uncached, and the failure logged).
func (n *cacheNode) resolveCache(ectx *pongo2.ExecutionContext) (*cache.Cache, string, *pongo2.Error) {
	if n.using == nil {
		alias := "default"
		if _, ok := cache.Current().Settings().Caches[fragmentsAlias]; ok {
			alias = fragmentsAlias
		}
		c, err := cache.Lookup(alias)
		if err != nil {
			slog.Default().WarnContext(ContextOf(ectx), "template fragment cache unavailable; rendering the fragment uncached",
				slog.String("alias", alias), slog.String("fragment", n.name), slog.Any("error", err))
			return nil, alias, nil
		}
		return c, alias, nil
	}
	v, known, err := n.using.resolve(ectx)
	if err != nil {
		return nil, "", err
	}
	if !known {
		return nil, "", ectx.Error(fmt.Sprintf(`"cache" tag got an unknown variable: %s`, pyReprString(n.using.text)), n.using.tok)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.String {
		return nil, "", ectx.Error("Invalid cache name specified for cache tag: "+pyRepr(v), n.using.tok)
	}
	alias := rv.String()
	c, lerr := cache.Lookup(alias)
	if lerr != nil {
		return nil, "", ectx.Error("Invalid cache name specified for cache tag: "+pyRepr(v), n.using.tok)
	}
	return c, alias, nil
}

// fragmentText is a cached fragment as text.
func fragmentText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

// isNone reports whether v is Python's None: nil, or a nil pointer.
func isNone(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && rv.IsNil()
}

// resolveTags returns the fragment's tags: the tags= value split on ","
// (a missing variable gives none).
func (n *cacheNode) resolveTags(ectx *pongo2.ExecutionContext) ([]string, *pongo2.Error) {
	if n.tags == nil {
		return nil, nil
	}
	v, known, err := n.tags.resolve(ectx)
	if err != nil || !known {
		return nil, err
	}
	var tags []string
	for _, t := range strings.Split(fmt.Sprint(v), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags, nil
}
