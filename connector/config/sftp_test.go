package config

import (
	"strings"
	"testing"
)

func TestParseRemote(t *testing.T) {
	cases := []struct {
		in   string
		want Remote
		err  string
	}{
		{in: "sftp://erp@files.example/out", want: Remote{User: "erp", Host: "files.example", Port: 22, Path: "/out"}},
		{in: "sftp://erp@files.example:2222/data/in/", want: Remote{User: "erp", Host: "files.example", Port: 2222, Path: "/data/in/"}},
		{in: "sftp://erp@files.example/~/out", want: Remote{User: "erp", Host: "files.example", Port: 22, Path: "out"}},
		{in: "sftp://erp@[::1]:22/out", want: Remote{User: "erp", Host: "::1", Port: 22, Path: "/out"}},
		{in: "ftp://erp@files.example/out", err: "only sftp:// remote folders are supported"},
		{in: "sftp://files.example/out", err: "the user is missing"},
		{in: "sftp://erp:secret@files.example/out", err: "no password in the URL"},
		{in: "sftp://erp@/out", err: "the host is missing"},
		{in: "sftp://erp@files.example:99999/out", err: "is not a port"},
		{in: "sftp://erp@files.example", err: "the folder path is missing"},
		{in: "sftp://erp@files.example/~", err: "the folder path is missing"},
		{in: "sftp://erp@files.example/out/../etc", err: "no . or .. in the path"},
		{in: "sftp://erp@files.example/out?x=1", err: "no query or fragment"},
	}
	for _, tc := range cases {
		got, err := ParseRemote(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v; want %q", tc.in, err, tc.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: the password shows in the error: %v", tc.in, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case got != tc.want:
			t.Errorf("%s: %+v; want %+v", tc.in, got, tc.want)
		}
	}
}
