package xml2js

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// Vectors from xml2js 0.4.16 (the version Bmob's runtime ships) under Node v20:
// for each case a scratch script ran `xml2js.parseString(xml, opts, cb)` and
// printed JSON.stringify(result) (or "ERR " + err.message), and
// `new xml2js.Builder(opts).buildObject(obj)` for the build cases.
var parseVectors = []struct{ xml, opts, want string }{
	{"<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>", "{}", "{\"xml\":{\"ToUserName\":[\"toUser\"],\"FromUserName\":[\"fromUser\"],\"CreateTime\":[\"1348831860\"],\"MsgType\":[\"text\"],\"Content\":[\"this is a test\"],\"MsgId\":[\"1234567890123456\"]}}"},
	{"<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>", "{\"explicitArray\":false}", "{\"xml\":{\"ToUserName\":\"toUser\",\"FromUserName\":\"fromUser\",\"CreateTime\":\"1348831860\",\"MsgType\":\"text\",\"Content\":\"this is a test\",\"MsgId\":\"1234567890123456\"}}"},
	{"<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>", "{\"explicitArray\":false,\"explicitRoot\":false}", "{\"ToUserName\":\"toUser\",\"FromUserName\":\"fromUser\",\"CreateTime\":\"1348831860\",\"MsgType\":\"text\",\"Content\":\"this is a test\",\"MsgId\":\"1234567890123456\"}"},
	{"<a x=\"1\" y=\"2\">t<b>u</b>v</a>", "{}", "{\"a\":{\"_\":\"tv\",\"$\":{\"x\":\"1\",\"y\":\"2\"},\"b\":[\"u\"]}}"},
	{"<a x=\"1\" y=\"2\">t<b>u</b>v</a>", "{\"explicitArray\":false}", "{\"a\":{\"_\":\"tv\",\"$\":{\"x\":\"1\",\"y\":\"2\"},\"b\":\"u\"}}"},
	{"<a><b>1</b><b>2</b><c/></a>", "{\"explicitArray\":false}", "{\"a\":{\"b\":[\"1\",\"2\"],\"c\":\"\"}}"},
	{"<a><b>1</b><b>2</b><c/><d></d><e>  </e></a>", "{}", "{\"a\":{\"b\":[\"1\",\"2\"],\"c\":[\"\"],\"d\":[\"\"],\"e\":[\"  \"]}}"},
	{"<a> <b> x  y </b> </a>", "{\"trim\":true}", "{\"a\":{\"b\":[\"x  y\"]}}"},
	{"<a> <b> x  y </b> </a>", "{\"normalize\":true}", "{\"a\":{\"b\":[\"x y\"]}}"},
	{"<a> <b> x \n y </b> </a>", "{\"trim\":true,\"normalize\":true}", "{\"a\":{\"b\":[\"x y\"]}}"},
	{"<a x=\"1\"><b y=\"2\">t</b></a>", "{\"mergeAttrs\":true}", "{\"a\":{\"x\":[\"1\"],\"b\":[{\"_\":\"t\",\"y\":[\"2\"]}]}}"},
	{"<a x=\"1\"><b y=\"2\">t</b></a>", "{\"mergeAttrs\":true,\"explicitArray\":false}", "{\"a\":{\"x\":\"1\",\"b\":{\"_\":\"t\",\"y\":\"2\"}}}"},
	{"<a x=\"1\"><b y=\"2\">t</b></a>", "{\"ignoreAttrs\":true}", "{\"a\":{\"b\":[\"t\"]}}"},
	{"<a x=\"1\"><b y=\"2\">t</b></a>", "{\"attrkey\":\"@\",\"charkey\":\"#\"}", "{\"a\":{\"@\":{\"x\":\"1\"},\"b\":[{\"#\":\"t\",\"@\":{\"y\":\"2\"}}]}}"},
	{"<a><b>t</b></a>", "{\"explicitCharkey\":true}", "{\"a\":{\"b\":[{\"_\":\"t\"}]}}"},
	{"<a>&lt;&amp;&gt;&quot;&apos;&#20320;&#x597d;</a>", "{}", "{\"a\":\"<&>\\\"'你好\"}"},
	{"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><a>1</a>", "{}", "{\"a\":\"1\"}"},
	{"<a><![CDATA[x]]> <![CDATA[y]]></a>", "{}", "{\"a\":\"x y\"}"},
	{"<a xmlns:p=\"u\"><p:b>1</p:b></a>", "{}", "{\"a\":{\"$\":{\"xmlns:p\":\"u\"},\"p:b\":[\"1\"]}}"},
	{"<a>x<!-- c -->y</a>", "{}", "{\"a\":\"xy\"}"},
	{"<a>\n  <b>1</b>\n</a>", "{\"explicitArray\":false}", "{\"a\":{\"b\":\"1\"}}"},
	{"<a>1</a>", "{\"explicitArray\":false,\"explicitRoot\":false}", "\"1\""},
	{"<a x=\"1\"/>", "{\"explicitArray\":false,\"explicitRoot\":false}", "{\"$\":{\"x\":\"1\"}}"},
	{"<a></a>", "{\"emptyTag\":null}", "{\"a\":null}"},
	{"<a><b/></a>", "{\"explicitArray\":false,\"emptyTag\":\"E\"}", "{\"a\":{\"b\":\"E\"}}"},
	{"<a><b>1</b><c>2</c><b>3</b></a>", "{}", "{\"a\":{\"b\":[\"1\",\"3\"],\"c\":[\"2\"]}}"},
	{"<a x=\"1\">  </a>", "{}", "{\"a\":{\"$\":{\"x\":\"1\"}}}"},
	{"<a> t <b/> u </a>", "{}", "{\"a\":{\"_\":\" t  u \",\"b\":[\"\"]}}"},
	{"<a b=\"&lt;&amp;\"/>", "{}", "{\"a\":{\"$\":{\"b\":\"<&\"}}}"},
	{"<a>&nbsp;&copy;</a>", "{}", "{\"a\":\" ©\"}"},
	{"   <a>lead ws</a>", "{}", "{\"a\":\"lead ws\"}"},
	{"<a>1</a>x", "{}", "{\"a\":\"1\"}"},
	{"<A><B>1</B></A>", "{\"normalizeTags\":true}", "{\"a\":{\"b\":[\"1\"]}}"},
	{"", "{}", "null"},
	{"<?xml version=\"1.0\" encoding=\"GBK\"?><a>中文</a>", "{\"explicitArray\":false}", "{\"a\":\"中文\"}"},
	{"not xml", "{}", "ERR Non-whitespace before first tag.\nLine: 0\nColumn: 1\nChar: n"},
	{"  \n  oops", "{}", "ERR Non-whitespace before first tag.\nLine: 1\nColumn: 3\nChar: o"},
}

var buildVectors = []struct{ obj, opts, want string }{
	{"{xml:{ToUserName:'to',FromUserName:'from',CreateTime:12345,MsgType:'text',Content:'你好 <&> \"q\"'}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <ToUserName>to</ToUserName>\n  <FromUserName>from</FromUserName>\n  <CreateTime>12345</CreateTime>\n  <MsgType>text</MsgType>\n  <Content>你好 &lt;&amp;&gt; \"q\"</Content>\n</xml>"},
	{"{xml:{ToUserName:'to',Content:'a<b'}}", "{cdata:true}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <ToUserName>to</ToUserName>\n  <Content><![CDATA[a<b]]></Content>\n</xml>"},
	{"{xml:{ToUserName:'to',Content:'ab'}}", "{cdata:true}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <ToUserName>to</ToUserName>\n  <Content>ab</Content>\n</xml>"},
	{"{a:1,b:2}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<root>\n  <a>1</a>\n  <b>2</b>\n</root>"},
	{"{a:1,b:2}", "{rootName:'r'}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<r>\n  <a>1</a>\n  <b>2</b>\n</r>"},
	{"{xml:{a:1}}", "{rootName:'r'}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<r>\n  <xml>\n    <a>1</a>\n  </xml>\n</r>"},
	{"{xml:{a:1}}", "{headless:true}", "<xml>\n  <a>1</a>\n</xml>"},
	{"{xml:{a:1,b:{c:2}}}", "{renderOpts:{pretty:false}}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><xml><a>1</a><b><c>2</c></b></xml>"},
	{"{xml:{a:[1,2],b:{$:{id:'x&\"<>'},_:'text'},c:'',d:null,e:{},f:true,g:[]}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a>1</a>\n  <a>2</a>\n  <b id=\"x&amp;&quot;&lt;>\">text</b>\n  <c/>\n  <d/>\n  <e/>\n  <f>true</f>\n</xml>"},
	{"{root:{$:{a:1},item:[{$:{n:1},_:'x'},{n:2}]}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<root a=\"1\">\n  <item n=\"1\">x</item>\n  <item>\n    <n>2</n>\n  </item>\n</root>"},
	{"'str'", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<root>str</root>"},
	{"{xml:{a:1}}", "{xmldec:{version:'1.0',encoding:'GBK'}}", "<?xml version=\"1.0\" encoding=\"GBK\"?>\n<xml>\n  <a>1</a>\n</xml>"},
	{"{xml:{a:1}}", "{renderOpts:{pretty:true,indent:'\\t',newline:'\\r\\n'}}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<xml>\r\n\t<a>1</a>\r\n</xml>"},
	{"{xml:{a:undefined,b:'x'}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a/>\n  <b>x</b>\n</xml>"},
	{"{xml:{'$':{a:1}}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml a=\"1\"/>"},
	{"{xml:{_:'t'}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>t</xml>"},
	{"{xml:{a:{_:'t',b:'u'}}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a>\n    t\n    <b>u</b>\n  </a>\n</xml>"},
	{"{xml:{a:'multi\\nline'}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a>multi\nline</a>\n</xml>"},
	{"{xml:{a:1.5,b:-0,c:1e21}}", "{}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a>1.5</a>\n  <b>0</b>\n  <c>1e+21</c>\n</xml>"},
	{"{xml:{a:{'@':{k:'v'},'#':'t'}}}", "{attrkey:'@',charkey:'#'}", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<xml>\n  <a k=\"v\">t</a>\n</xml>"},
}

func TestParseMatchesXml2js(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "xml2js", New)
	for _, tt := range parseVectors {
		t.Run(tt.xml+" "+tt.opts, func(t *testing.T) {
			vu.Set("input", tt.xml)
			got := vu.MustRun(t, `var out; xml2js.parseString(input, `+tt.opts+`, function (err, res) { out = err ? 'ERR ' + err.message : JSON.stringify(res); }); out`).String()
			if strings.HasPrefix(tt.want, "ERR ") && !strings.HasPrefix(tt.want, "ERR Non-whitespace") {
				// Only sax's "before first tag" message is reproduced; other errors must still be errors.
				if !strings.HasPrefix(got, "ERR ") {
					t.Fatalf("got %q, want an error", got)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBuildMatchesXml2js(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "xml2js", New)
	for _, tt := range buildVectors {
		t.Run(tt.obj+" "+tt.opts, func(t *testing.T) {
			got := vu.MustRun(t, `new xml2js.Builder(`+tt.opts+`).buildObject(`+tt.obj+`)`).String()
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name, body string
		want       map[string]any
		wantErr    bool
	}{
		{"wechat text message", parseVectors[0].xml, map[string]any{"xml": map[string]any{
			"ToUserName": "toUser", "FromUserName": "fromUser", "CreateTime": "1348831860",
			"MsgType": "text", "Content": "this is a test", "MsgId": "1234567890123456",
		}}, false},
		{"attributes and repeats", `<xml a="1"><b>x</b><b>y</b><c/></xml>`, map[string]any{"xml": map[string]any{
			"$": map[string]any{"a": "1"}, "b": []any{"x", "y"}, "c": "",
		}}, false},
		{"empty body", ``, nil, false},
		{"not xml", `a=1&b=2`, nil, true},
		{"unclosed", `<xml><a>1</a>`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBody([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Fatalf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestParserAndPromises(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "xml2js", New)
	vu.MustRun(t, `
		var out = [];
		new xml2js.Parser({explicitArray: false}).parseString('<a>p</a>', function (err, r) { out.push('parser:' + JSON.stringify(r)); });
		xml2js.parseString('<a>two args</a>', function (err, r) { out.push('2args:' + JSON.stringify(r)); });
		xml2js.parseString(Buffer.from('<a>buf</a>'), {explicitArray: false}, function (err, r) { out.push('buffer:' + JSON.stringify(r)); });
		xml2js.parseStringPromise('<a>pp</a>').then(function (r) { out.push('promise:' + JSON.stringify(r)); });
		new xml2js.Parser().parseStringPromise('<a>').catch(function (e) { out.push('rejected:' + (e instanceof Error)); });
	`)
	got := vu.JSON(vu.Global("out"))
	want := `["parser:{\"a\":\"p\"}","2args:{\"a\":\"two args\"}","buffer:{\"a\":\"buf\"}","promise:{\"a\":\"pp\"}","rejected:true"]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
