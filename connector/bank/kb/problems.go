package kb

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
)

// maxProblems bounds what one error answer can make us keep.
const maxProblems = 200

// errorItem holds every key of the error envelopes KB's APIs use (spec §6).
type errorItem struct {
	Error          string          `json:"error"`
	Code           string          `json:"code"`
	ErrorCode      string          `json:"errorCode"`
	Scope          string          `json:"scope"`
	Message        string          `json:"message"`
	Description    string          `json:"description"`
	AdditionalInfo *additionalInfo `json:"additionalInfo"`
	Parameters     map[string]any  `json:"parameters"`
}

type additionalInfo struct {
	ParameterName string `json:"parameterName"`
	RejectedValue string `json:"rejectedValue"`
}

// parseProblems reads the problems out of an error answer. It never fails:
// an answer in no known shape gives no problems, and the caller keeps the
// raw body for the operator.
func parseProblems(body []byte) []Problem {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil
	}
	if b[0] == '<' {
		return parseFault(b)
	}
	var env struct {
		Errors           []json.RawMessage `json:"errors"`
		Error            json.RawMessage   `json:"error"`
		ErrorDescription string            `json:"error_description"`
	}
	if json.Unmarshal(b, &env) != nil {
		return nil
	}
	var out []Problem
	for _, raw := range env.Errors {
		if len(out) == maxProblems {
			break
		}
		var it errorItem
		if json.Unmarshal(raw, &it) != nil {
			continue
		}
		if p, ok := it.problem(); ok {
			out = append(out, p)
		}
	}
	// RFC 6749 style ({"error":"invalid_token",...}), e.g. from a gateway
	// that checks the bearer itself.
	var code string
	if len(out) == 0 && json.Unmarshal(env.Error, &code) == nil && (code != "" || env.ErrorDescription != "") {
		out = append(out, Problem{Code: code, Message: env.ErrorDescription})
	}
	return out
}

func (it errorItem) problem() (Problem, bool) {
	p := Problem{Code: first(it.Error, it.Code, it.ErrorCode), Scope: it.Scope, Message: first(it.Message, it.Description)}
	if ai := it.AdditionalInfo; ai != nil {
		if p.Scope == "" {
			p.Scope = ai.ParameterName
		}
		if ai.RejectedValue != "" {
			p.Message = strings.TrimSpace(p.Message + fmt.Sprintf(" (rejected value %q)", ai.RejectedValue))
		}
	}
	if len(it.Parameters) > 0 {
		keys := make([]string, 0, len(it.Parameters))
		for k := range it.Parameters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%v", k, it.Parameters[k])
		}
		p.Message = strings.TrimSpace(p.Message + " [" + strings.Join(parts, ", ") + "]")
	}
	return p, p != Problem{}
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// wso2Fault is the WSO2 API Manager fault (spec §6 item 4). encoding/xml
// matches local names, so the am: prefix needs no namespace here.
type wso2Fault struct {
	XMLName     xml.Name `xml:"fault"`
	Code        string   `xml:"code"`
	Type        string   `xml:"type"`
	Message     string   `xml:"message"`
	Description string   `xml:"description"`
}

func parseFault(b []byte) []Problem {
	var f wso2Fault
	if xml.Unmarshal(b, &f) != nil {
		return nil
	}
	msg := strings.TrimSpace(f.Message)
	if d := strings.TrimSpace(f.Description); d != "" {
		if msg != "" {
			msg += ": "
		}
		msg += d
	}
	p := Problem{Code: strings.TrimSpace(f.Code), Message: msg}
	if p == (Problem{}) {
		return nil
	}
	return []Problem{p}
}
