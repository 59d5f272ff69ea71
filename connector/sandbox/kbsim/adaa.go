package kbsim

import (
	"net/http"
	"strings"
)

func (s *Server) handleTransactions(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{Code: "NOT_FOUND", Message: "not yet"}}})
	_ = strings.TrimPrefix
}
