package devnet

import (
	"github.com/minerkit/minerkit/scale"
	"github.com/minerkit/minerkit/substrate"
)

// Event indices (finney).
const (
	evSystemExtrinsicSuccess uint8 = 0
	evSystemExtrinsicFailed  uint8 = 1
	evSystemNewAccount       uint8 = 3
	evSystemKilledAccount    uint8 = 4
	evSystemRemarked         uint8 = 5

	evBalancesEndowed  uint8 = 0
	evBalancesDustLost uint8 = 1
	evBalancesTransfer uint8 = 2
	evBalancesSet      uint8 = 3
	evBalancesDeposit  uint8 = 7
	evBalancesWithdraw uint8 = 8

	evTxFeePaid uint8 = 0
)

func (x *exec) totalIssuance() uint64 { return x.s.u64(keyPlain("Balances", "TotalIssuance"), 0) }

func (x *exec) addIssuance(delta int64) {
	ti := x.totalIssuance()
	if delta < 0 {
		if uint64(-delta) > ti {
			ti = 0
		} else {
			ti -= uint64(-delta)
		}
	} else {
		ti += uint64(delta)
	}
	x.s.putU64(keyPlain("Balances", "TotalIssuance"), ti)
}

// debit takes amount from who's free balance. With keepAlive the account
// must stay at or above the existential deposit; without it, a remainder
// below the deposit is lost as dust and the account is reaped.
func (x *exec) debit(who accountID, amount uint64, keepAlive bool) error {
	a := x.s.account(who)
	if a.free < amount {
		return errFundsUnavail
	}
	rest := a.free - amount
	ed := x.rt.cfg.ExistentialDeposit
	if rest < ed && a.reserved == 0 {
		if keepAlive {
			return errNotExpendable
		}
		if rest > 0 {
			x.emit(palletBalances, evBalancesDustLost, scale.AppendU64(appendAcc(nil, who), rest))
			x.addIssuance(-int64(rest))
		}
		x.s.putAccount(who, accountInfo{})
		x.emit(palletSystem, evSystemKilledAccount, appendAcc(nil, who))
		return nil
	}
	a.free = rest
	x.s.putAccount(who, a)
	return nil
}

// credit adds amount to who's free balance, creating the account (and
// emitting NewAccount and Endowed) when it had none.
func (x *exec) credit(who accountID, amount uint64) error {
	a := x.s.account(who)
	if a.providers == 0 {
		if amount < x.rt.cfg.ExistentialDeposit {
			return errBelowMinimum
		}
		a.providers = 1
		a.free = amount
		x.s.putAccount(who, a)
		x.emit(palletSystem, evSystemNewAccount, appendAcc(nil, who))
		x.emit(palletBalances, evBalancesEndowed, scale.AppendU64(appendAcc(nil, who), amount))
		return nil
	}
	if a.free+amount < a.free {
		return errArithOverflow
	}
	a.free += amount
	x.s.putAccount(who, a)
	return nil
}

// mint credits newly issued rao (emission).
func (x *exec) mint(who accountID, amount uint64) {
	if amount == 0 {
		return
	}
	if err := x.credit(who, amount); err == nil {
		x.addIssuance(int64(amount))
	}
}

func (x *exec) transfer(from, to accountID, amount uint64, keepAlive bool) error {
	return x.transactional(func() error {
		if err := x.debit(from, amount, keepAlive); err != nil {
			return err
		}
		if err := x.credit(to, amount); err != nil {
			return err
		}
		x.emit(palletBalances, evBalancesTransfer, scale.AppendU64(appendAcc(appendAcc(nil, from), to), amount))
		return nil
	})
}

func callTransferAllowDeath(x *exec, o origin, a []any) error {
	from, err := o.signed()
	if err != nil {
		return err
	}
	return x.transfer(from, a[0].(accountID), a[1].(uint64), false)
}

func callTransferKeepAlive(x *exec, o origin, a []any) error {
	from, err := o.signed()
	if err != nil {
		return err
	}
	return x.transfer(from, a[0].(accountID), a[1].(uint64), true)
}

func callTransferAll(x *exec, o origin, a []any) error {
	from, err := o.signed()
	if err != nil {
		return err
	}
	keepAlive := a[1].(bool)
	free := x.s.account(from).free
	if keepAlive {
		if free <= x.rt.cfg.ExistentialDeposit {
			return nil
		}
		free -= x.rt.cfg.ExistentialDeposit
	}
	return x.transfer(from, a[0].(accountID), free, keepAlive)
}

func callForceSetBalance(x *exec, o origin, a []any) error {
	if !o.root {
		return errBadOrigin
	}
	who, free := a[0].(accountID), a[1].(uint64)
	acc := x.s.account(who)
	old := acc.free
	if acc.providers == 0 && free >= x.rt.cfg.ExistentialDeposit {
		acc.providers = 1
	}
	acc.free = free
	if free < x.rt.cfg.ExistentialDeposit && acc.reserved == 0 {
		acc = accountInfo{}
	}
	x.s.putAccount(who, acc)
	x.addIssuance(int64(acc.free) - int64(old))
	x.emit(palletBalances, evBalancesSet, scale.AppendU64(appendAcc(nil, who), free))
	return nil
}

func callRemark(x *exec, o origin, a []any) error {
	_, err := o.signed()
	return err
}

func callRemarkWithEvent(x *exec, o origin, a []any) error {
	who, err := o.signed()
	if err != nil {
		return err
	}
	h := substrate.HashBlake2_256(a[0].([]byte))
	x.emit(palletSystem, evSystemRemarked, append(appendAcc(nil, who), h[:]...))
	return nil
}
