package templates

import (
	"strings"

	"github.com/flosch/pongo2/v6"
)

// nowNode is Django's {% now "format" [as var] %}.
type nowNode struct {
	format string
	asVar  string
}

// parseNowTag is Django's now tag: one quoted format (a format or a
// setting's name such as "SHORT_DATE_FORMAT"), optionally "as var".
func parseNowTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	n := &nowNode{}
	bits := splitBits(args)
	if len(bits) == 3 && tokensText(args, bits[1].start, bits[1].end) == "as" {
		n.asVar = tokensText(args, bits[2].start, bits[2].end)
		bits = bits[:1]
	}
	if len(bits) != 1 || bits[0].end-bits[0].start != 1 || args.Get(bits[0].start).Typ != pongo2.TokenString {
		return nil, args.Error("'now' statement takes one argument", start)
	}
	// Django takes the text between the quotes as written: pongo2's lexer
	// has read \\ as \ and \" as ", so write them back.
	n.format = strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(args.Get(bits[0].start).Val)
	return n, nil
}

// Execute writes the current time in TIME_ZONE, formatted as the date
// filter formats it, or stores it in the variable.
func (n *nowNode) Execute(ectx *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	f := currentFormats.Load()
	out := FormatDate(now().In(f.loc), f.getFormat(n.format))
	if n.asVar != "" {
		ectx.Private[n.asVar] = out
		return nil
	}
	_, err := w.WriteString(out)
	if err != nil {
		return ectx.OrigError(err, nil)
	}
	return nil
}
