// Package apiclient holds what the Jira and Atlassian Admin clients share
// beyond the transport: the types both expose (Response, ListOptions, the
// account, group and cloud IDs, the sentinel errors), option plumbing and
// default rate limits for the transport, generic pagination, URL and
// credential redaction, and the parts of error handling that do not depend
// on either API's error shape. Packages jira and atlassian re-export the
// types as aliases, so neither imports the other and values flow between
// them without conversion.
package apiclient
