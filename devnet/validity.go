package devnet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/minerkit/minerkit/internal/metabuild"
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// TransactionValidityError encoding (sp_runtime::transaction_validity).
const (
	tvInvalid = 0
	tvUnknown = 1

	invCall              = 0
	invPayment           = 1
	invStale             = 3
	invBadProof          = 4
	invAncientBirthBlock = 5
	invCustom            = 7

	unkNoUnsignedValidator = 1
)

// validityError encodes a pool rejection as TransactionValidityError;
// ok is false for rejections that are not validity errors (bad format).
func validityError(te *TxError) ([]byte, bool) {
	switch te.Code {
	case 1011:
		return []byte{tvUnknown, unkNoUnsignedValidator}, true
	case 1010:
	default:
		return nil, false
	}
	switch {
	case strings.HasPrefix(te.Data, msgBadSignature):
		return []byte{tvInvalid, invBadProof}, true
	case te.Data == msgStale:
		return []byte{tvInvalid, invStale}, true
	case te.Data == msgPayment:
		return []byte{tvInvalid, invPayment}, true
	case te.Data == msgAncientBirth:
		return []byte{tvInvalid, invAncientBirthBlock}, true
	case strings.HasPrefix(te.Data, "Custom error: "):
		n, err := strconv.Atoi(strings.TrimPrefix(te.Data, "Custom error: "))
		if err == nil && n >= 0 && n < 256 {
			return []byte{tvInvalid, invCustom, byte(n)}, true
		}
	}
	return []byte{tvInvalid, invCall}, true
}

// validateTransaction answers TaggedTransactionQueue_validate_transaction:
// the runtime's view of a transaction (no pool state), as a
// TransactionValidity.
func (n *Node) validateTransaction(raw []byte) ([]byte, error) {
	c := n.chain
	tx, err := c.check(raw)
	if err != nil {
		te, ok := err.(*TxError)
		if !ok {
			return nil, err
		}
		enc, ok := validityError(te)
		if !ok {
			return nil, fmt.Errorf("validate_transaction: %s", te.Data)
		}
		return append([]byte{1}, enc...), nil
	}
	head := c.head()
	view := c.stateAt(head)
	acc := view.account(tx.who)
	reject := func(te *TxError) ([]byte, error) {
		enc, _ := validityError(te)
		return append([]byte{1}, enc...), nil
	}
	if tx.nonce < acc.nonce {
		return reject(invalidTx(msgStale))
	}
	if tx.fee > 0 && acc.free < tx.fee+c.rt.cfg.ExistentialDeposit {
		return reject(invalidTx(msgPayment))
	}
	if code := c.customCheck(view, head.header.number+1, tx); code != 0 {
		return reject(invalidTx(fmt.Sprintf("Custom error: %d", code)))
	}
	tag := func(nonce uint32) []byte { return scale.AppendU32(append([]byte(nil), tx.who[:]...), nonce) }
	var requires [][]byte
	if tx.nonce > acc.nonce {
		requires = append(requires, tag(tx.nonce-1))
	}
	longevity := ^uint64(0)
	if !tx.era.Immortal() {
		longevity = tx.era.Death(uint64(head.header.number)) - uint64(head.header.number)
	}
	out := []byte{0}
	out = scale.AppendU64(out, tx.tip)
	out = scale.AppendVec(out, requires, scale.AppendBytes)
	out = scale.AppendVec(out, [][]byte{tag(tx.nonce)}, scale.AppendBytes)
	out = scale.AppendU64(out, longevity)
	return scale.AppendBool(out, true), nil
}

// validityTypes registers TransactionSource and TransactionValidity for
// the v15 runtime API section.
func (m *metaBuilder) validityTypes() (source, validity substrate.TypeID) {
	b := m.b
	u8, u64 := m.prim(substrate.PrimU8), m.prim(substrate.PrimU64)
	source = b.Variant([]string{"sp_runtime", "transaction_validity", "TransactionSource"},
		metabuild.V("InBlock", 0), metabuild.V("Local", 1), metabuild.V("External", 2))
	invalid := b.Variant([]string{"sp_runtime", "transaction_validity", "InvalidTransaction"},
		metabuild.V("Call", 0), metabuild.V("Payment", 1), metabuild.V("Future", 2), metabuild.V("Stale", 3),
		metabuild.V("BadProof", 4), metabuild.V("AncientBirthBlock", 5), metabuild.V("ExhaustsResources", 6),
		metabuild.V("Custom", 7, substrate.Field{Type: u8, TypeName: "u8"}), metabuild.V("BadMandatory", 8),
		metabuild.V("MandatoryValidation", 9), metabuild.V("BadSigner", 10))
	unknown := b.Variant([]string{"sp_runtime", "transaction_validity", "UnknownTransaction"},
		metabuild.V("CannotLookup", 0), metabuild.V("NoUnsignedValidator", 1), metabuild.V("Custom", 2, substrate.Field{Type: u8, TypeName: "u8"}))
	verr := b.Variant([]string{"sp_runtime", "transaction_validity", "TransactionValidityError"},
		metabuild.V("Invalid", 0, substrate.Field{Type: invalid, TypeName: "InvalidTransaction"}),
		metabuild.V("Unknown", 1, substrate.Field{Type: unknown, TypeName: "UnknownTransaction"}))
	tags := b.Sequence(b.Bytes())
	valid := b.Composite([]string{"sp_runtime", "transaction_validity", "ValidTransaction"},
		metabuild.FT("priority", u64, "TransactionPriority"), metabuild.FT("requires", tags, "Vec<TransactionTag>"),
		metabuild.FT("provides", tags, "Vec<TransactionTag>"), metabuild.FT("longevity", u64, "TransactionLongevity"),
		metabuild.FT("propagate", m.prim(substrate.PrimBool), "bool"))
	return source, b.Result(valid, verr)
}
