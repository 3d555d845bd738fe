package templates

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/flosch/pongo2/v6"
)

// registerTags adds {% cache %}, {% load %}, {% url %}, {% csrf_token %}
// and Django's {% now %} to pongo2's tag registry,
// which is global to the process: it runs once, on the first New.
var registerTags = sync.OnceValue(func() error {
	var errs []error
	for name, parse := range map[string]pongo2.TagParser{
		"cache":      parseCacheTag,
		"load":       parseLoadTag,
		"now":        parseNowTag,
		"url":        parseURLTag,
		"csrf_token": parseCSRFTokenTag,
	} {
		var err error
		if name == "now" {
			err = pongo2.ReplaceTag(name, parse) // pongo2's takes Go layouts
		} else {
			err = pongo2.RegisterTag(name, parse)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("register the {%% %s %%} tag with pongo2: %w", name, err))
		}
	}
	return errors.Join(errs...)
})

// libraries are the tag libraries {% load %} knows, with their tags. Their
// tags are registered with pongo2 for every template; loading one only
// checks the name, as pongo2 has no per-template tag sets.
var libraries = map[string][]string{
	"cache": {"cache"},
}

func libraryNames() string {
	names := make([]string, 0, len(libraries))
	for n := range libraries {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, "\n")
}

// loadNode renders nothing.
type loadNode struct{}

func (loadNode) Execute(*pongo2.ExecutionContext, pongo2.TemplateWriter) *pongo2.Error { return nil }

// parseLoadTag is Django's {% load lib ... %} and {% load tag ... from lib %}
// for the libraries this package provides, failing with Django's messages
// on anything else.
func parseLoadTag(doc *pongo2.Parser, start *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
	bits := splitBits(args)
	words := make([]string, len(bits))
	for i, b := range bits {
		words[i] = tokensText(args, b.start, b.end)
	}
	if len(words) >= 2 && words[len(words)-2] == "from" {
		lib := words[len(words)-1]
		tags, ok := libraries[lib]
		if !ok {
			return nil, args.Error(fmt.Sprintf("'%s' is not a registered tag library. Must be one of:\n%s", lib, libraryNames()), args.Get(bits[len(bits)-1].start))
		}
		for i, name := range words[:len(words)-2] {
			if !slices.Contains(tags, name) {
				return nil, args.Error(fmt.Sprintf("'%s' is not a valid tag or filter in tag library '%s'", name, lib), args.Get(bits[i].start))
			}
		}
		return loadNode{}, nil
	}
	for i, lib := range words {
		if _, ok := libraries[lib]; !ok {
			return nil, args.Error(fmt.Sprintf("'%s' is not a registered tag library. Must be one of:\n%s", lib, libraryNames()), args.Get(bits[i].start))
		}
	}
	return loadNode{}, nil
}
