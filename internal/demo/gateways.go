package demo

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/payment/comgate"
	"github.com/radnice/radnice/internal/payment/gateways"
	"github.com/radnice/radnice/internal/payment/gpwebpay"
	"github.com/radnice/radnice/internal/tenant"
)

// Where the demo card gateways (fakes, marked DEMO on every page) are
// mounted on the portal's own address.
const (
	GatewaysPath = "/demo-gw"
	GPWebpayPath = GatewaysPath + "/gpwebpay"
	ComGatePath  = GatewaysPath + "/comgate"
)

// The demo merchants, invented.
const (
	gpMerchant      = "8888880001"
	comgateMerchant = "100044"
)

// Gateways gives each demo town its card gateway, a fake answering at base
// (http://localhost:<port>, the demo server itself): Jizerov pays through
// a fake GP webpay, Horní Ves through a fake ComGate. Both are made afresh
// at every start, with new keys and a new secret written to the towns'
// payment_gateways rows as an administrator would with `radnice gateway
// set`, so the portal reaches them through exactly the configuration it
// uses for real gateways. It returns the handler to mount at GatewaysPath.
func Gateways(ctx context.Context, d *db.DB, base string) (http.Handler, error) {
	bu, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	towns := &tenant.Store{DB: d}
	city, err := towns.BySlug(ctx, Towns()[0].Tenant.Slug)
	if err != nil {
		return nil, err
	}
	village, err := towns.BySlug(ctx, Towns()[1].Tenant.Slug)
	if err != nil {
		return nil, err
	}
	store := gateways.NewStore(d, &audit.Store{DB: d})
	mux := http.NewServeMux()

	// Jizerov: GP webpay, with a merchant key made now; the fake makes its
	// own GP key.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	gp := gpwebpay.NewFake(gpMerchant, &key.PublicKey)
	gp.BaseURL = base + GPWebpayPath
	merchantKey, err := gateways.PrivateKeyPEM(key)
	if err != nil {
		return nil, err
	}
	gpKey, err := gateways.PublicKeyPEM(gp.GPPublicKey())
	if err != nil {
		return nil, err
	}
	if err := store.SaveGateway(ctx, audit.System, gateways.GPWebpayConfig(city.ID, gateways.GPWebpay{MerchantNumber: gpMerchant,
		GatewayURL: gp.GatewayURL(), WSURL: gp.WSURL(), GPKey: gpKey}, merchantKey, true)); err != nil {
		return nil, fmt.Errorf("demo gateway of %s: %w", city.Name, err)
	}
	mux.Handle(GPWebpayPath+"/", gp)

	// Horní Ves: ComGate. As at ComGate, the push address is the shop's
	// setting: the village's own notify URL, reached by dialling the
	// demo server whatever the host name says (not every resolver knows
	// that *.localhost is this machine).
	town := "http://" + net.JoinHostPort(village.Hosts[0], bu.Port())
	secret := rand.Text()
	cg := comgate.NewFake(comgate.FakeMerchant{Merchant: comgateMerchant, Secret: secret,
		NotifyURL: town + "/platba/comgate/notifikace", ReturnURL: town + "/platba/comgate/navrat?id=${id}&refId=${refId}"})
	cg.BaseURL = base + ComGatePath
	cg.HTTP = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, bu.Host)
		}}}
	if err := store.SaveGateway(ctx, audit.System, gateways.ComGateConfig(village.ID, gateways.ComGate{Merchant: comgateMerchant,
		APIURL: cg.APIURL(), Test: true}, secret, true)); err != nil {
		return nil, fmt.Errorf("demo gateway of %s: %w", village.Name, err)
	}
	mux.Handle(ComGatePath+"/", cg)

	return mux, nil
}
