package restapi

// Keys are the application's credentials (bmob-api.md §5.2). The JSON names are
// those of the keys file kept beside the db (<db>.keys.json).
type Keys struct {
	// AppID is X-Bmob-Application-Id (32 hex).
	AppID string `json:"applicationId,omitempty"`
	// RESTKey is X-Bmob-REST-API-Key (32 hex).
	RESTKey string `json:"restApiKey,omitempty"`
	// MasterKey is X-Bmob-Master-Key (32 hex): full access, bypasses ACLs.
	MasterKey string `json:"masterKey,omitempty"`
	// SecurityCode is the "API 安全码" the JS SDK signs requests with.
	SecurityCode string `json:"securityCode,omitempty"`
	// SecretKey is the 16-hex app secret: the first segment of direct function
	// URLs and X-Bmob-Secret-Key of signed requests.
	SecretKey string `json:"secretKey"`
}
