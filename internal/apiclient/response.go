package apiclient

import (
	"net/http"

	"github.com/batonkit/jiracloud/internal/transport"
)

// Version is the client version sent in the User-Agent header by both
// clients.
const Version = "0.1.0"

// Response is the response of one call of either client: the HTTP
// response (its body already read and closed), what page methods learned
// about the next page, the parsed rate-limit headers, the attempt count and
// the request ID. jira.Response and atlassian.Response are this type.
type Response struct {
	*http.Response
	// NextCursor is set by page methods: the cursor of the next page, or ""
	// after the last page.
	NextCursor string
	// Rate is what the response said about rate limits.
	Rate transport.Rate
	// Attempts is how many times the request was sent.
	Attempts int
	// RequestID is the request ID header the server sent (Atl-Traceid, or
	// the API's own request ID header), for Atlassian support.
	RequestID string
	// Total is the item count the page reported (a Jira PageBean's
	// "total"), or -1 when it reported none: every response that is not
	// such a page, including every Atlassian Admin API response, has -1.
	// It is a hint: Jira documents that it may change between pages, so
	// pagination never stops on it.
	Total int
	// PageSize is the page size the server applied to a PageBean page
	// ("maxResults", which may be lower than asked), or 0 when absent.
	PageSize int
}

// NewResponse wraps the final answer to a request that was sent attempts
// times: Total starts unknown (-1), NextCursor empty.
func NewResponse(resp *http.Response, attempts int, requestID string, rate transport.Rate) *Response {
	return &Response{Response: resp, Total: -1, Attempts: attempts, RequestID: requestID, Rate: rate}
}
