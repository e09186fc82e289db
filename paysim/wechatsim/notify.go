package wechatsim

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// notifyJSON is a notify body, fields in WeChat's order.
type notifyJSON struct {
	ID           string       `json:"id"`
	CreateTime   string       `json:"create_time"`
	ResourceType string       `json:"resource_type"`
	EventType    string       `json:"event_type"`
	Summary      string       `json:"summary"`
	Resource     resourceJSON `json:"resource"`
}

// resourceJSON is the encrypted payload of a notify (or of a certificate).
type resourceJSON struct {
	OriginalType   string `json:"original_type,omitempty"`
	Algorithm      string `json:"algorithm"`
	Ciphertext     string `json:"ciphertext"`
	AssociatedData string `json:"associated_data"`
	Nonce          string `json:"nonce"`
}

// aeadAlgorithm names the encryption of resources.
const aeadAlgorithm = "AEAD_AES_256_GCM"

// encrypt seals plaintext with the APIv3 key as WeChat does: AES-256-GCM, a
// 12-character nonce used as its UTF-8 bytes, base64(ciphertext‖tag).
func (s *Simulator) encrypt(plaintext []byte, associatedData string) (resourceJSON, error) {
	block, err := aes.NewCipher([]byte(s.cfg.APIv3Key))
	if err != nil {
		return resourceJSON{}, fmt.Errorf("wechatsim: APIv3 key: %w", err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return resourceJSON{}, fmt.Errorf("wechatsim: APIv3 key: %w", err)
	}
	nonce, err := s.nonce(gcm.NonceSize())
	if err != nil {
		return resourceJSON{}, err
	}
	sealed := gcm.Seal(nil, []byte(nonce), plaintext, []byte(associatedData))
	return resourceJSON{
		Algorithm:      aeadAlgorithm,
		Ciphertext:     base64.StdEncoding.EncodeToString(sealed),
		AssociatedData: associatedData,
		Nonce:          nonce,
	}, nil
}

// notification builds a notify as WeChat POSTs it: the JSON envelope with the
// encrypted resource, signed with the platform key in the Wechatpay-* headers.
func (s *Simulator) notification(seq int64, event, outTradeNo, url, eventType, summary, originalType string,
	plaintext []byte) (provider.Notification, error) {
	res, err := s.encrypt(plaintext, originalType)
	if err != nil {
		return provider.Notification{}, err
	}
	res.OriginalType = originalType
	now := s.cfg.Clock.Now()
	body := marshal(notifyJSON{
		ID:           fmt.Sprintf("EV-%s%05d", now.In(beijing).Format("20060102150405"), seq%100000),
		CreateTime:   wechatTime(now),
		ResourceType: "encrypt-resource",
		EventType:    eventType,
		Summary:      summary,
		Resource:     res,
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	if err := s.signedHeaders(h, body); err != nil {
		return provider.Notification{}, err
	}
	return provider.Notification{
		Provider:   provider.Wechat,
		Event:      event,
		OutTradeNo: outTradeNo,
		URL:        url,
		Header:     h,
		Body:       body,
	}, nil
}
