package templates

import (
	"context"
	"net/http"

	"github.com/flosch/pongo2/v6"
)

// stateVar is the template variable holding the render's state. Its value
// has an unexported type, so a view's data cannot stand in for it.
const stateVar = "gojango_render"

// renderState is what an Engine hands the tags of one render.
type renderState struct {
	ctx context.Context
}

// ContextOf returns the context.Context of the render ectx belongs to:
// the request's for Engine.Render, the one given to RenderToString and
// RenderString, context.Background() for a template not rendered by an
// Engine (or inside {% include ... only %}, which drops every variable).
// Custom tags use it for I/O.
func ContextOf(ectx *pongo2.ExecutionContext) context.Context {
	if ectx != nil {
		if st, ok := lookupVar(ectx, stateVar).(*renderState); ok && st.ctx != nil {
			return st.ctx
		}
		if r := RequestOf(ectx); r != nil {
			return r.Context()
		}
	}
	return context.Background()
}

// RequestOf returns the template variable "request" when it is an
// *http.Request (Engine.Render sets it), else nil.
func RequestOf(ectx *pongo2.ExecutionContext) *http.Request {
	if ectx == nil {
		return nil
	}
	r, _ := lookupVar(ectx, "request").(*http.Request)
	return r
}

// lookupVar reads a top-level template variable the way pongo2 does:
// the private context (tags' variables) first, then the public one.
func lookupVar(ectx *pongo2.ExecutionContext, name string) any {
	if v, ok := ectx.Private[name]; ok {
		return v
	}
	return ectx.Public[name]
}
