module github.com/batonkit/jiracloud

go 1.26.0

require (
	github.com/hashicorp/go-cleanhttp v0.5.2
	github.com/hashicorp/go-retryablehttp v0.7.8
	golang.org/x/time v0.16.0
)

require golang.org/x/sys v0.47.0 // indirect
