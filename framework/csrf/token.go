package csrf

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"strings"
)

// The sizes of Django's CSRF values: a secret (the csrftoken cookie) is 32
// characters of AllowedChars; a token (the form field, the X-CSRFToken
// header) is the secret masked with a fresh 32-character mask, 64 in all.
const (
	SecretLength = 32
	TokenLength  = 2 * SecretLength
	AllowedChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// The reasons CheckFormat gives, Django's phrases without a subject: the
// middleware writes "CSRF cookie has incorrect length." or "CSRF token
// from POST has invalid characters.".
var (
	ErrIncorrectLength    = errors.New("has incorrect length")
	ErrInvalidCharacters  = errors.New("has invalid characters")
	errNotAllowedInSecret = errors.New("csrf: secret holds a character outside AllowedChars")
)

// NewSecret returns a new random secret: Django's _get_new_csrf_string.
func NewSecret() string { return randomString(SecretLength) }

// randomString draws n characters of AllowedChars from crypto/rand with no
// modulo bias.
func randomString(n int) string {
	const limit = 256 - 256%len(AllowedChars) // 248: bytes at or above it are redrawn
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, AllowedChars[int(b)%len(AllowedChars)])
			}
		}
	}
	return string(out)
}

// Mask returns a token for secret: a fresh mask followed by the secret's
// characters shifted by the mask's (Django's _mask_cipher_secret). Every
// call returns a different token for the same secret, so a page's token
// says nothing about the next page's (BREACH).
func Mask(secret string) string {
	if err := CheckFormat(secret); err != nil || len(secret) != SecretLength {
		panic(errNotAllowedInSecret) // a programming error: secrets come from NewSecret or CheckFormat
	}
	mask := randomString(SecretLength)
	var b strings.Builder
	b.Grow(TokenLength)
	b.WriteString(mask)
	n := len(AllowedChars)
	for i := 0; i < SecretLength; i++ {
		b.WriteByte(AllowedChars[(index(secret[i])+index(mask[i]))%n])
	}
	return b.String()
}

// Unmask returns the secret inside a token of TokenLength characters that
// passed CheckFormat (Django's _unmask_cipher_token).
func Unmask(token string) string {
	mask, cipher := token[:SecretLength], token[SecretLength:]
	n := len(AllowedChars)
	out := make([]byte, SecretLength)
	for i := range out {
		out[i] = AllowedChars[(index(cipher[i])-index(mask[i])+n)%n]
	}
	return string(out)
}

// CheckFormat returns ErrIncorrectLength unless s has SecretLength or
// TokenLength characters, and ErrInvalidCharacters if any is outside
// AllowedChars (Django's _check_token_format).
func CheckFormat(s string) error {
	if len(s) != SecretLength && len(s) != TokenLength {
		return ErrIncorrectLength
	}
	for i := 0; i < len(s); i++ {
		if index(s[i]) < 0 {
			return ErrInvalidCharacters
		}
	}
	return nil
}

// Matches reports whether token (masked or not, already through
// CheckFormat) carries secret, in constant time (Django's
// _does_token_match).
func Matches(token, secret string) bool {
	if len(token) == TokenLength {
		token = Unmask(token)
	}
	return subtle.ConstantTimeCompare([]byte(token), []byte(secret)) == 1
}

// index is c's position in AllowedChars, or -1.
func index(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	}
	return -1
}
