package apps

import (
	"context"
	"strings"

	"gojango/framework/settings"
)

// Check is a system check (Django's @register): it returns the problems it
// finds. ctx bounds any I/O.
type Check func(ctx context.Context, s *settings.Settings) []Message

// Message is one problem a check found. Its level is the letter after the
// dot of ID, as in Django: "blog.E001" is an error, "blog.W001" a warning.
type Message struct {
	ID, Msg, Hint string
	// Obj is what the message is about, printed before it ("?" when "").
	Obj string
}

// Level is the message's level letter: C, E, W, I or D ("E" for an id
// without a known letter).
func (m Message) Level() string {
	_, code, _ := strings.Cut(m.ID, ".")
	for _, l := range []string{"C", "E", "W", "I", "D"} {
		if strings.HasPrefix(code, l) {
			return l
		}
	}
	return "E"
}

// Serious reports an error or a critical: those stop runserver and make
// `check` exit 1; warnings do not.
func (m Message) Serious() bool { return m.Level() == "E" || m.Level() == "C" }
