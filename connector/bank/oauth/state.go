package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// stateVersion is written into every saved state; a different one is refused
// rather than guessed at.
const stateVersion = 1

// state is what the Source knows about its credential. Its JSON form is what
// Persist stores.
type state struct {
	Version       int       `json:"version"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
	AccessToken   string    `json:"access_token,omitempty"` // persisted: a restart within its lifetime needs no token call
	AccessExpiry  time.Time `json:"access_expiry,omitzero"`
	RefreshedAt   time.Time `json:"refreshed_at,omitzero"`  // when the current access token was requested
	AuthorizedAt  time.Time `json:"authorized_at,omitzero"` // last successful code exchange
	// Reauthorize, when set, is why no token call may be made until Exchange
	// succeeds (the bank said invalid_grant).
	Reauthorize string `json:"reauthorize,omitempty"`
	// InFlight is the journal: a token call was started at this time and its
	// answer not yet saved. Found at load, it means a crash (or a lost answer)
	// interrupted a call that may have rotated the refresh token.
	InFlight time.Time `json:"in_flight,omitzero"`
}

var errCorruptState = errors.New("stored token state is unreadable")

func encodeState(st state) ([]byte, error) {
	st.Version = stateVersion
	st.RefreshExpiry, st.AccessExpiry = st.RefreshExpiry.UTC(), st.AccessExpiry.UTC()
	st.RefreshedAt, st.AuthorizedAt, st.InFlight = st.RefreshedAt.UTC(), st.AuthorizedAt.UTC(), st.InFlight.UTC()
	return json.Marshal(st)
}

// decodeState reads what Persist returned. nil or empty means nothing is
// stored. Errors name the problem, never a value.
func decodeState(b []byte) (state, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return state{}, nil
	}
	var st state
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return state{}, fmt.Errorf("%w: %s", errCorruptState, jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return state{}, fmt.Errorf("%w: data after the JSON object", errCorruptState)
	}
	if st.Version != stateVersion {
		return state{}, fmt.Errorf("%w: version %d, this program reads version %d", errCorruptState, st.Version, stateVersion)
	}
	for name, tok := range map[string]string{"refresh_token": st.RefreshToken, "access_token": st.AccessToken} {
		if tok != "" {
			if err := validToken(tok); err != nil {
				return state{}, fmt.Errorf("%w: %s %v", errCorruptState, name, err)
			}
		}
	}
	if st.AccessToken == "" {
		st.AccessExpiry = time.Time{}
	}
	st.Reauthorize = printable(st.Reauthorize, 300)
	return st, nil
}

// jsonProblem describes a decode error without quoting the input (which
// holds tokens).
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("member %q has the wrong type", te.Field)
	}
	msg := err.Error()
	if len(msg) > 80 || bytes.ContainsAny([]byte(msg), "\"") {
		// Unknown-field errors quote the field name, which is ours to print,
		// but keep anything longer out to be safe.
		return "not a token state object"
	}
	return msg
}
