"""The content bank: facts that ship with loopprep, validated when loaded."""
