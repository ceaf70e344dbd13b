module github.com/batonkit/jiracloud

go 1.25.2

require (
	github.com/conductorone/baton-sdk v0.26.0 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	github.com/jarcoal/httpmock v1.4.2 // indirect
	golang.org/x/time v0.16.0 // indirect
)
