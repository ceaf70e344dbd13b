package httpserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"
)

// issue makes a certificate signed by parent (self-signed when parent is nil).
func issue(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func TestMutualTLS(t *testing.T) {
	t.Parallel()
	now := time.Now()
	ca, caKey := issue(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	other, otherKey := issue(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	leaf := func(cn string, usage x509.ExtKeyUsage, parent *x509.Certificate, pk *ecdsa.PrivateKey) tls.Certificate {
		c, k := issue(t, &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature}, parent, pk)
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k, Leaf: c}
	}
	serverCert := leaf("server", x509.ExtKeyUsageServerAuth, ca, caKey)
	clientCert := leaf("client", x509.ExtKeyUsageClientAuth, ca, caKey)
	strangerCert := leaf("stranger", x509.ExtKeyUsageClientAuth, other, otherKey)
	pool := x509.NewCertPool()
	pool.AddCert(ca)

	cc, _ := fakeConfig(t)
	srv, err := New(Config{Connector: cc, DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler),
		TLS: &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientCAs: pool,
			ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatalf("New with mTLS only: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: certs}}}
	}
	get := func(c *http.Client, path string) int {
		resp, err := c.Get("https://" + ln.Addr().String() + path)
		if err != nil {
			return -1 // handshake refused
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(client(clientCert), "/v1/syncs"); got != 200 {
		t.Errorf("client certificate from the CA: %d, want 200", got)
	}
	if got := get(client(), "/v1/syncs"); got != 401 {
		t.Errorf("no client certificate: %d, want 401", got)
	}
	if got := get(client(), "/healthz"); got != 200 {
		t.Errorf("health without a certificate: %d, want 200", got)
	}
	if got := get(client(strangerCert), "/v1/syncs"); got == 200 {
		t.Errorf("certificate from another CA was accepted")
	}
}
