from services.intake import receipts


def test_receipts_are_16_random_digits():
    seen = {receipts.new_receipt() for _ in range(200)}
    assert len(seen) == 200
    assert all(len(r) == 16 and r.isdigit() for r in seen)


def test_normalise_accepts_grouping_and_refuses_anything_else():
    assert receipts.normalise("1234 5678-1234 5678") == "1234567812345678"
    for bad in (None, "", "123", "12345678123456789", "abcd567812345678", "１２３４５６７８１２３４５６７８"):
        assert receipts.normalise(bad) is None


def test_argon2id_with_production_parameters_verifies_only_the_right_receipt():
    hasher = receipts.ReceiptHasher()  # production defaults: t=3, 64 MiB
    stored = hasher.hash("1234567812345678")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert hasher.verify(stored, "1234567812345678")
    assert not hasher.verify(stored, "1234567812345679")
