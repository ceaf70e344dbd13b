package redact

import (
	"fmt"
	"testing"
)

type secretive struct{ Token string }

func (s secretive) String() string                { return "secretive{Token:" + Secret(s.Token) + "}" }
func (s secretive) Format(f fmt.State, verb rune) { Format(f, verb, s.String()) }

func TestFormatEveryVerb(t *testing.T) {
	v := secretive{Token: "tok-123"}
	for verb, want := range map[string]string{
		"%v": "secretive{Token:REDACTED}", "%+v": "secretive{Token:REDACTED}", "%#v": "secretive{Token:REDACTED}",
		"%s": "secretive{Token:REDACTED}", "%d": "secretive{Token:REDACTED}", "%x": "secretive{Token:REDACTED}",
		"%q": `"secretive{Token:REDACTED}"`,
	} {
		if got := fmt.Sprintf(verb, v); got != want {
			t.Errorf("%s: %s, want %s", verb, got, want)
		}
	}
	if got := fmt.Sprintf("%v", secretive{}); got != "secretive{Token:}" {
		t.Errorf("unset secret: %s", got)
	}
}
