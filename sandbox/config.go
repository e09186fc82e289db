package sandbox

import (
	"fmt"
	"io"
	"strings"
)

// WriteConfig prints, with labels, everything a script's config needs to pay in
// the sandbox: an alipay-sdk `new AlipaySdk({...})` snippet and the WeChat Pay
// values, each ready to paste. One-line keys fit both '…' and "…" strings, and
// alipay-sdk and node-rsa (oCryptoRSA) accept them; the PEM forms follow for
// other tools.
func (k *Keys) WriteConfig(w io.Writer) error {
	a, x := &k.Alipay, &k.Wechat
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# bmobemu payment sandbox: keys for your scripts' configs (made once, kept beside the db)\n")
	p("# The simulators hold the matching halves; gateway URLs stay as they are (the sandbox answers them).\n\n")

	p("## Alipay (alipay-sdk 3.x, as pay.js and payNotify.js use it)\n\n")
	p("const AlipaySdk = require('alipay-sdk').default;\n")
	p("const alipaySdk = new AlipaySdk({\n")
	p("  appId: '%s',\n", a.AppID)
	p("  privateKey: '%s', // app private key, PKCS#8\n", a.AppPrivateOneLine())
	p("  alipayPublicKey: '%s', // sandbox \"Alipay public key\"\n", a.AlipayPublicOneLine())
	p("  keyType: 'PKCS8',\n")
	p("  signType: 'RSA2',\n")
	p("  gateway: 'https://openapi.alipay.com/gateway.do',\n")
	p("});\n\n")
	p("appId:     %s\n", a.AppID)
	p("sellerId:  %s\n\n", a.SellerID)
	p("App private key, PKCS#8 PEM (keyType 'PKCS8'):\n%s\n", a.AppPrivatePKCS8())
	p("App private key, PKCS#1 PEM (alipay-sdk's default keyType):\n%s\n", a.AppPrivatePKCS1())
	p("App public key (what you would upload to Alipay; the simulator already has it):\n%s\n", a.AppPublicPEM())
	p("Alipay public key PEM:\n%s\n", a.AlipayPublicPEM())

	p("## WeChat Pay API v3 (as wechatPayment.js and pay_notify.js use it)\n\n")
	p("const config = {\n")
	p("  mchid: \"%s\",\n", x.MchID)
	p("  appid: \"%s\",\n", x.AppID)
	p("  privateKey: \"%s\", // merchant private key, PKCS#8 (NodeRSA 'pkcs8-private')\n", oneLine(x.MerchantPrivateKeyPEM))
	p("  serialNo: \"%s\", // merchant certificate serial\n", x.MerchantSerial)
	p("  apiV3Key: \"%s\",\n", x.APIv3Key)
	p("  alipayPublicKey: \"%s\", // pay_notify.js's name for the platform public key (NodeRSA 'pkcs8-public')\n", oneLine(x.PlatformPublicPEM()))
	p("};\n\n")
	p("mchid:                        %s\n", x.MchID)
	p("appid:                        %s\n", x.AppID)
	p("merchant certificate serial:  %s\n", x.MerchantSerial)
	p("platform certificate serial:  %s   (Wechatpay-Serial)\n", x.PlatformSerial)
	p("APIv3 key:                    %s\n\n", x.APIv3Key)
	p("Merchant private key, PKCS#8 PEM:\n%s\n", x.MerchantPrivateKeyPEM)
	p("Platform public key PEM:\n%s\n", x.PlatformPublicPEM())
	p("Platform certificate:\n%s", x.PlatformCertPEM)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the sandbox config: %w", err)
	}
	return nil
}
