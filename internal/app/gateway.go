package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/comgate"
	"github.com/radnice/radnice/internal/payment/gateways"
	"github.com/radnice/radnice/internal/payment/gpwebpay"
)

const gatewayUsage = "want `gateway list --tenant T`, " +
	"`gateway set --tenant T --name gpwebpay --merchant N --url URL --ws-url URL --key-file F [--key-password-file F] --gp-key-file F [--inactive]` or " +
	"`gateway set --tenant T --name comgate --merchant ID --secret-file F [--api-url URL] [--test] [--inactive]`"

// gatewayFlags are the flags of `gateway set` that belong to one gateway
// only, so that a flag given for the other one is refused, not ignored.
var gatewayFlags = map[string][]string{
	payment.GatewayGPWebpay: {"url", "ws-url", "key-file", "key-password-file", "gp-key-file", "provider"},
	payment.GatewayComGate:  {"secret-file", "api-url", "test"},
}

// runGateway lists or sets a town's card payment gateways. Keys and the
// secret are read from files (never from the command line, which other
// users of the machine can see) and checked before anything is written;
// list never prints them.
func runGateway(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "set") {
		return usageError{gatewayUsage}
	}
	sub := args[0]
	var slug, name, merchant, gwURL, wsURL, keyFile, passFile, gpKeyFile, provider, secretFile, apiURL string
	var test, inactive bool
	cfg, fs, err := parseFlags(e, "gateway", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
		if sub != "set" {
			return
		}
		fs.StringVar(&name, "name", "", "gpwebpay or comgate")
		fs.StringVar(&merchant, "merchant", "", "the merchant number (GP webpay) or shop id (ComGate)")
		fs.StringVar(&gwURL, "url", "", "gpwebpay: the order page, e.g. https://3dsecure.gpwebpay.com/pgw/order.do")
		fs.StringVar(&wsURL, "ws-url", "", "gpwebpay: the WS API, e.g. https://3dsecure.gpwebpay.com/pay-ws/v1/PaymentService")
		fs.StringVar(&keyFile, "key-file", "", "gpwebpay: the merchant's private key (PEM)")
		fs.StringVar(&passFile, "key-password-file", "", "gpwebpay: a file holding the private key's password, if it has one")
		fs.StringVar(&gpKeyFile, "gp-key-file", "", "gpwebpay: GP webpay's public key or certificate (PEM)")
		fs.StringVar(&provider, "provider", "", "gpwebpay: the WS provider code from the contract (default 0100)")
		fs.StringVar(&secretFile, "secret-file", "", "comgate: a file holding the shop's secret")
		fs.StringVar(&apiURL, "api-url", comgate.DefaultBaseURL, "comgate: the API")
		fs.BoolVar(&test, "test", false, "comgate: create test payments")
		fs.BoolVar(&inactive, "inactive", false, "keep it configured, but take new card payments elsewhere (or not at all)")
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	if sub == "list" {
		d, t, err := openTown(ctx, cfg, slug)
		if err != nil {
			return err
		}
		defer d.Close()
		all, err := gateways.NewStore(d, nil).Gateways(ctx, t.ID)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			fmt.Fprintf(e.stdout, "%s has no card gateway: citizens pay by transfer\n", t.Name)
		}
		for _, c := range all {
			fmt.Fprintln(e.stdout, gateways.Describe(c))
		}
		return nil
	}

	// set: the flags first, then the files, then the town.
	if !payment.KnownGateway(name) {
		return usageError{"--name must be gpwebpay or comgate"}
	}
	var stray []string
	fs.Visit(func(f *flag.Flag) {
		for other, names := range gatewayFlags {
			if other != name && slices.Contains(names, f.Name) {
				stray = append(stray, "--"+f.Name)
			}
		}
	})
	if len(stray) > 0 {
		return usageError{fmt.Sprintf("%s is not a setting of %s", strings.Join(stray, ", "), name)}
	}
	need := map[string]string{"--merchant": merchant}
	if name == payment.GatewayGPWebpay {
		need["--url"], need["--ws-url"], need["--key-file"], need["--gp-key-file"] = gwURL, wsURL, keyFile, gpKeyFile
	} else {
		need["--secret-file"] = secretFile
	}
	var missing []string
	for flagName, v := range need {
		if v == "" {
			missing = append(missing, flagName)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return usageError{fmt.Sprintf("%s needs %s", name, strings.Join(missing, ", "))}
	}

	var row *payment.GatewayConfig
	if name == payment.GatewayGPWebpay {
		keyPEM, err := os.ReadFile(keyFile)
		if err != nil {
			return fmt.Errorf("--key-file: %w", err)
		}
		var password []byte
		if passFile != "" {
			b, err := os.ReadFile(passFile)
			if err != nil {
				return fmt.Errorf("--key-password-file: %w", err)
			}
			password = []byte(strings.TrimRight(string(b), "\r\n"))
		}
		merchantKey, err := gateways.MerchantKey(keyPEM, password)
		if err != nil {
			return fmt.Errorf("--key-file %s: %w", keyFile, err)
		}
		gpPEM, err := os.ReadFile(gpKeyFile)
		if err != nil {
			return fmt.Errorf("--gp-key-file: %w", err)
		}
		if _, err := gpwebpay.ParsePublicKeyPEM(gpPEM); err != nil {
			return fmt.Errorf("--gp-key-file %s: %w", gpKeyFile, err)
		}
		row = gateways.GPWebpayConfig(0, gateways.GPWebpay{MerchantNumber: merchant, GatewayURL: gwURL, WSURL: wsURL,
			GPKey: string(gpPEM), Provider: provider}, merchantKey, !inactive)
	} else {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return fmt.Errorf("--secret-file: %w", err)
		}
		secret := strings.TrimSpace(string(b))
		if secret == "" {
			return fmt.Errorf("--secret-file %s is empty", secretFile)
		}
		row = gateways.ComGateConfig(0, gateways.ComGate{Merchant: merchant, APIURL: apiURL, Test: test}, secret, !inactive)
	}

	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	row.TenantID = t.ID
	if err := gateways.NewStore(d, &audit.Store{DB: d}).SaveGateway(ctx, audit.System, row); err != nil {
		return err
	}
	state := "active: new card payments go through it"
	if inactive {
		state = "inactive: payments made through it are still resolved"
	}
	fmt.Fprintf(e.stdout, "gateway %s of %s saved, %s\n", name, t.Name, state)
	if name == payment.GatewayComGate && len(t.Hosts) > 0 {
		fmt.Fprintf(e.stdout, "In ComGate's client portal, set the push URL to https://%s/platba/comgate/notifikace\n"+
			"and the return URLs to https://%s/platba/comgate/navrat?id=${id}&refId=${refId}\n", t.Hosts[0], t.Hosts[0])
	}
	return nil
}
