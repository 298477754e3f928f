package org.bayling.model;

/**
 * The PyTorch build in use lacks a kernel the chosen {@link Precision} needs on the chosen device.
 * A configuration error (the user picks another {@code --dtype} or {@code --weights}); the message is
 * one line naming the dtype, the device and the option to use instead.
 */
public final class UnsupportedPrecisionException extends IllegalArgumentException {

    public UnsupportedPrecisionException(String message, Throwable cause) {
        super(message, cause);
    }
}
