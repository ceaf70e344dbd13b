//go:build tools

// Package tools pins tool and test dependencies so that `go mod tidy` keeps
// them: the baton CLI (reads c1z files: go build -o bin/baton
// github.com/conductorone/baton-sdk/cmd/baton), go-cmp and httpmock.
package tools

import (
	_ "github.com/conductorone/baton-sdk/cmd/baton"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/jarcoal/httpmock"
)
