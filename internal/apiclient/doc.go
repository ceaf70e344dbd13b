// Package apiclient holds the code the Jira and Atlassian Admin clients
// share beyond the transport: option plumbing for the transport, generic
// pagination, URL and credential redaction, and the parts of error
// handling that do not depend on either API's error shape. Both client
// packages wrap these helpers so their exported APIs stay their own.
package apiclient
