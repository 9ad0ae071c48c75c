package util

import "testing"

func TestJoinAndPlural(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"Adam"}, "Adam"},
		{[]string{"Adam", "Ftrl"}, "Adam and Ftrl"},
		{[]string{"Adam", "Ftrl", "RMSProp"}, "Adam, Ftrl and RMSProp"},
	} {
		if got := JoinAnd(c.in); got != c.want {
			t.Errorf("JoinAnd(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if Plural(1, "image", "images") != "image" || Plural(0, "image", "images") != "images" || Plural(2, "image", "images") != "images" {
		t.Error("Plural")
	}
}
