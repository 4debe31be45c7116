// Transaction extensions of current subtensor runtimes that carry data and
// that polkadot-js does not know by name (it would treat them as empty and
// sign different bytes). Written from the runtime source: HEAD
// runtime/src/transaction_payment_wrapper.rs wraps ChargeTransactionPayment,
// a compact tip. Pass as userExtensions / signedExtensions.
'use strict';

module.exports = {
  ChargeTransactionPaymentWrapper: { extrinsic: { tip: 'Compact<Balance>' }, payload: {} },
};
