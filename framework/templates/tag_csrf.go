package templates

import (
	"github.com/flosch/pongo2/v6"

	"gojango/framework/csrf"
)

// csrfTokenNode is Django's {% csrf_token %}.
type csrfTokenNode struct{}

// parseCSRFTokenTag is Django's csrf_token: it takes no arguments.
func parseCSRFTokenTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	if args.Count() > 0 {
		return nil, args.Error("'csrf_token' takes no arguments", start)
	}
	return csrfTokenNode{}, nil
}

// Execute writes the hidden csrfmiddlewaretoken input with the request's
// token (csrf.Token), or nothing when there is no token (no request, or no
// CSRF middleware), as Django's CsrfTokenNode does. Asking for the token
// makes the middleware send the csrftoken cookie.
func (csrfTokenNode) Execute(ectx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	r := RequestOf(ectx)
	if r == nil {
		return nil
	}
	token := csrf.Token(r)
	if token == "" || token == "NOTPROVIDED" {
		return nil
	}
	_, err := w.WriteString(`<input type="hidden" name="csrfmiddlewaretoken" value="` + Escape(token) + `">`)
	if err != nil {
		return ectx.OrigError(err, nil)
	}
	return nil
}
