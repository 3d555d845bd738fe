package templates

import (
	"errors"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/urls"
)

// urlNode is Django's {% url name arg ... [key=value ...] [as var] %}.
type urlNode struct {
	tok    *pongo2.Token
	name   *expr
	args   []*expr
	kwargs map[string]*expr
	asVar  string
}

// parseURLTag is Django's url tag: the name is an expression (usually a
// quoted string), then positional or key=value arguments, then maybe
// "as var".
func parseURLTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	bits := splitBits(args)
	if len(bits) < 1 {
		return nil, args.Error("'url' takes at least one argument, a URL pattern name.", start)
	}
	n := &urlNode{tok: start, kwargs: map[string]*expr{}}
	rest := bits[1:]
	if len(rest) >= 2 && tokensText(args, rest[len(rest)-2].start, rest[len(rest)-2].end) == "as" {
		n.asVar = tokensText(args, rest[len(rest)-1].start, rest[len(rest)-1].end)
		rest = rest[:len(rest)-2]
	}
	var err *pongo2.Error
	if n.name, err = parseExpr(args, bits[0], bits[0].start); err != nil {
		return nil, err
	}
	for _, b := range rest {
		if isKwarg(args, b) {
			x, err := parseExpr(args, b, b.start+2)
			if err != nil {
				return nil, err
			}
			n.kwargs[args.Get(b.start).Val] = x
			continue
		}
		x, err := parseExpr(args, b, b.start)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, x)
	}
	return n, nil
}

// isKwarg reports whether b is written name=value.
func isKwarg(args *pongo2.Parser, b bit) bool {
	if b.end-b.start < 3 {
		return false
	}
	id, eq := args.Get(b.start), args.Get(b.start+1)
	return id.Typ == pongo2.TokenIdentifier && eq.Typ == pongo2.TokenSymbol && eq.Val == "="
}

// Execute reverses the name with urls.Reverse and writes the path
// (escaped when autoescaping), or stores it in the variable; with "as var"
// a name that does not reverse stores "" instead of failing, as in Django.
func (n *urlNode) Execute(ectx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	resolve := func(x *expr) (any, *pongo2.Error) {
		v, known, err := x.resolve(ectx)
		if err != nil {
			return nil, err
		}
		if !known {
			return "", nil // string_if_invalid
		}
		if pv, ok := v.(*pongo2.Value); ok {
			return pv.Interface(), nil
		}
		return v, nil
	}
	nameV, perr := resolve(n.name)
	if perr != nil {
		return perr
	}
	name := str(pongo2.AsValue(nameV))
	var (
		u   string
		err error
	)
	if len(n.kwargs) > 0 {
		kw := make(map[string]any, len(n.kwargs))
		for k, x := range n.kwargs {
			if kw[k], perr = resolve(x); perr != nil {
				return perr
			}
		}
		if len(n.args) > 0 {
			err = errors.New("Don't mix *args and **kwargs in call to reverse()!")
		} else {
			u, err = urls.ReverseKwargs(name, kw)
		}
	} else {
		args := make([]any, len(n.args))
		for i, x := range n.args {
			if args[i], perr = resolve(x); perr != nil {
				return perr
			}
		}
		u, err = urls.Reverse(name, args...)
	}
	if err != nil {
		if n.asVar != "" && errors.Is(err, urls.ErrNoReverseMatch) {
			u = ""
		} else {
			return ectx.OrigError(err, n.tok)
		}
	}
	if n.asVar != "" {
		ectx.Private[n.asVar] = u
		return nil
	}
	if ectx.Autoescape {
		u = Escape(u)
	}
	if _, err := w.WriteString(u); err != nil {
		return ectx.OrigError(err, n.tok)
	}
	return nil
}
