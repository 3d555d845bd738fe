package csrf

import (
	"errors"
	"strings"
	"testing"
)

// Django's token format: 32 alphanumerics for a secret, 64 for a masked
// token; anything else is rejected with its reason.
func TestCheckFormatFollowsDjangosCheckTokenFormat(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"secret", strings.Repeat("a", SecretLength), nil},
		{"masked token", strings.Repeat("Z9", SecretLength), nil},
		{"empty", "", ErrIncorrectLength},
		{"too short", strings.Repeat("a", 31), ErrIncorrectLength},
		{"between lengths", strings.Repeat("a", 48), ErrIncorrectLength},
		{"invalid characters", strings.Repeat("a", 31) + "-", ErrInvalidCharacters},
		{"non-ASCII", strings.Repeat("a", 30) + "é", ErrInvalidCharacters},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckFormat(tc.in); !errors.Is(err, tc.want) {
				t.Fatalf("CheckFormat(%q) = %v; want %v", tc.in, err, tc.want)
			}
		})
	}
}

// _mask_cipher_secret / _unmask_cipher_token round-trip, and each mask is
// fresh.
func TestMaskedTokenUnmasksToItsSecretAndDiffersEachTime(t *testing.T) {
	secret := NewSecret()
	if err := CheckFormat(secret); err != nil || len(secret) != SecretLength {
		t.Fatalf("NewSecret = %q (%v)", secret, err)
	}
	a, b := Mask(secret), Mask(secret)
	if a == b {
		t.Fatalf("two masks of one secret are equal: %q", a)
	}
	for _, tok := range []string{a, b} {
		if len(tok) != TokenLength || CheckFormat(tok) != nil {
			t.Fatalf("token %q is not 64 allowed characters", tok)
		}
		if Unmask(tok) != secret || !Matches(tok, secret) {
			t.Fatalf("token %q does not carry secret %q", tok, secret)
		}
	}
	if !Matches(secret, secret) {
		t.Fatal("an unmasked token (the cookie value itself) must match")
	}
	if Matches(Mask(NewSecret()), secret) {
		t.Fatal("another secret's token matches")
	}
}

// Django's own vector: the mask "A...A" (index 26) shifts every character
// of the secret by 26 places.
func TestUnmaskMatchesDjangosCipher(t *testing.T) {
	mask := strings.Repeat("A", SecretLength)
	cipher := strings.Repeat("A", SecretLength) // 'a'(0)+26 = 'A'
	if got := Unmask(mask + cipher); got != strings.Repeat("a", SecretLength) {
		t.Fatalf("Unmask = %q", got)
	}
}
