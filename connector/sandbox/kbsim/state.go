package kbsim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"erpconnector/connector/fsutil"
)

// stateVersion guards the persisted format; a file of another version is
// refused rather than half-read, since losing a ledger hides duplicates.
const stateVersion = 1

// state is everything the simulator keeps across restarts.
type state struct {
	Version     int    `json:"version"`
	Secret      string `json:"secret"` // hex HMAC key that signs the JWT-like tokens
	ClockOffset int64  `json:"clockOffsetNs"`
	NextBatch   int64  `json:"nextBatch"`
	NextSeq     int64  `json:"nextSeq"`

	Codes      map[string]*authCode `json:"codes"`
	Tokens     map[string]*tokenRec `json:"tokens"` // by jti
	Batches    []*batch             `json:"batches"`
	Receptions []Reception          `json:"receptions"`

	// ADAA statement data (adaa.go); absent in older files.
	Credits     []credit   `json:"credits,omitempty"`     // injected by /_sim/credit
	CreditsFrom *time.Time `json:"creditsFrom,omitempty"` // anchor of invented credits
}

func newState() state {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand panics on a broken source)
	return state{
		Version: stateVersion, Secret: hex.EncodeToString(key),
		// 36^5: the first IDs look like KB's "000012GYPU" (10 upper alnum).
		NextBatch: 60466176, NextSeq: 1,
		Codes: map[string]*authCode{}, Tokens: map[string]*tokenRec{},
	}
}

// authCode is an authorization code minted by /autfe/ssologin.
type authCode struct {
	ClientID    string    `json:"clientId"`
	RedirectURI string    `json:"redirectUri"`
	Scopes      []string  `json:"scopes"`
	IssuedAt    time.Time `json:"issuedAt"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Used        bool      `json:"used,omitempty"`
}

// Token kinds.
const (
	kindAccess  = "access_token"
	kindRefresh = "refresh_token"
)

// Reasons a token stopped being valid before its expiry.
const (
	revokedRotated = "rotated"        // replaced by a refresh with rotation
	revokedControl = "expire-refresh" // /_sim/expire-refresh: consent withdrawn
	revokedFamily  = "reuse-detected" // a rotated sibling was presented again
)

// tokenRec is one issued token, found by the jti inside it.
type tokenRec struct {
	Kind      string     `json:"kind"`
	ClientID  string     `json:"clientId"`
	Scopes    []string   `json:"scopes"`
	Family    string     `json:"family"` // the authorization it descends from
	IssuedAt  time.Time  `json:"issuedAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	Revoked   string     `json:"revoked,omitempty"` // reason
}

// batch is one accepted BATCHDA request.
type batch struct {
	ID              string          `json:"transactionIdentification"`
	SignID          string          `json:"signId"`
	ClientID        string          `json:"clientId"`
	ExchangeID      string          `json:"exchangeIdentification"`
	InstructionName string          `json:"instructionName,omitempty"`
	Mode            string          `json:"batchProcessingMode"` // as echoed
	CorrelationID   string          `json:"correlationId"`
	Digest          string          `json:"batchDigest"`
	DebtorIBAN      string          `json:"debtorIban"`
	Currency        string          `json:"currency"`
	Status          string          `json:"instructionStatus"` // ACTC or ACWC
	ReceivedAt      time.Time       `json:"receivedAt"`
	SignedAt        *time.Time      `json:"signedAt,omitempty"`
	ProcessAt       *time.Time      `json:"processAt,omitempty"` // SignedAt + ProcessAfter
	RejectedAt      *time.Time      `json:"rejectedAt,omitempty"`
	Items           []*item         `json:"items"`
	Body            json.RawMessage `json:"body"`
}

// item is one payment of a batch.
type item struct {
	Index         int        `json:"index"`
	InstructionID string     `json:"instructionIdentification"`
	EndToEndID    string     `json:"endToEndIdentification,omitempty"`
	AmountMinor   int64      `json:"amountMinor"`
	Currency      string     `json:"currency"`
	ExecDate      string     `json:"requestedExecutionDate,omitempty"`
	DebtorIBAN    string     `json:"debtorIban"`
	CreditorIBAN  string     `json:"creditorIban"`
	CreditorName  string     `json:"creditorName,omitempty"`
	References    []string   `json:"references,omitempty"`
	Unstructured  string     `json:"unstructured,omitempty"`
	EntryRef      string     `json:"entryReference"`
	ImportErrors  []APIError `json:"importErrors,omitempty"` // rejected at import (ACWC)
	RejectedAt    *time.Time `json:"rejectedAt,omitempty"`   // rejected by the bank in processing
	RejectCode    string     `json:"rejectCode,omitempty"`
}

// Reception is one BATCHDA request that passed authentication and carried a
// well-formed x-exchange-identification, whatever the answer was.
type Reception struct {
	Seq           int64     `json:"seq"`
	At            time.Time `json:"at"`
	ClientID      string    `json:"clientId"`
	ExchangeID    string    `json:"exchangeIdentification"`
	CorrelationID string    `json:"correlationId"`
	Status        int       `json:"status"`          // HTTP status answered (as computed, even if the connection dropped)
	Error         string    `json:"error,omitempty"` // first error code, e.g. AM05
	Batch         string    `json:"batch,omitempty"` // transactionIdentification when accepted
}

func loadState(path string) (state, error) {
	if path == "" {
		return newState(), nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return state{}, fmt.Errorf("kbsim: read state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var got state
	if err := dec.Decode(&got); err != nil {
		return state{}, fmt.Errorf("kbsim: state %s is corrupt: %w", path, err)
	}
	if got.Version != stateVersion {
		return state{}, fmt.Errorf("kbsim: state %s has version %d, want %d", path, got.Version, stateVersion)
	}
	if _, err := hex.DecodeString(got.Secret); err != nil || len(got.Secret) < 32 {
		return state{}, fmt.Errorf("kbsim: state %s: bad token secret", path)
	}
	if got.Codes == nil {
		got.Codes = map[string]*authCode{}
	}
	if got.Tokens == nil {
		got.Tokens = map[string]*tokenRec{}
	}
	return got, nil
}

// saveState writes the state atomically (temp file, fsync, rename, fsync of
// the folder), the same way the connector writes its own files.
func saveState(path string, st *state) error {
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return fmt.Errorf("kbsim: encode state: %w", err)
	}
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("kbsim: save state: %w", err)
	}
	return nil
}
