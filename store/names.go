package store

// systemClasses may start with "_" (oData maps table User to _User).
var systemClasses = map[string]bool{"_User": true, "_Role": true, "_Installation": true, "_Push": true, "_EmailRequest": true,
	// records of what the REST API emulates offline (restapi's sms.go, wechatapp.go)
	"_SmsCode": true, "_WechatNotify": true, "_PayRefund": true}

// reservedFields are kept by the store and cannot be written by data.
var reservedFields = map[string]bool{"objectId": true, "createdAt": true, "updatedAt": true}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isNameChar(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '_' }

// validName: a letter, then letters, digits and underscores.
func validName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

// checkClass gives 103 for a class name Bmob would refuse.
func checkClass(class string) error {
	if systemClasses[class] || validName(class) {
		return nil
	}
	return Errorf(103, "classname '%s' must start with a letter.", class)
}

// checkField gives 105 for a reserved or malformed top-level field name.
func checkField(name string) error {
	if reservedFields[name] {
		return Errorf(105, "It is a reserved field: %s.", name)
	}
	if !validName(name) {
		return Errorf(105, "invalid field name: %s.", name)
	}
	return nil
}
