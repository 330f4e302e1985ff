package io.callbridge.call;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/**
 * Phone number normalisation with libphonenumber. Numbers without a country code are read in the
 * default region (India unless configured). A number is accepted when libphonenumber knows it as a
 * <em>valid</em> number of its country (length and number range): a merely possible length would turn typos
 * like {@code +91 98450 1236x7} or {@code 0000000000} into new persons. The ranges come with the library's
 * metadata, so keep the dependency up to date.
 */
public final class PhoneNumbers {
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private final String defaultRegion;

    public PhoneNumbers(String defaultRegion) {
        this.defaultRegion = defaultRegion == null || defaultRegion.isBlank() ? "IN" : defaultRegion.trim().toUpperCase();
        if (!UTIL.getSupportedRegions().contains(this.defaultRegion)) {
            throw new IllegalArgumentException("unknown phone region '" + defaultRegion + "'");
        }
    }

    public String defaultRegion() {
        return defaultRegion;
    }

    /** E.164 form of a number as typed anywhere (Pipedrive, MyOperator), or empty if it is not a phone number. */
    public Optional<String> toE164(String raw) {
        return parse(raw, defaultRegion).map(n -> UTIL.format(n, PhoneNumberFormat.E164));
    }

    /**
     * E.164 form of a national number given with a separate country calling code (MyOperator v1
     * {@code _cr} + {@code _cy}); falls back to the default region when the code is absent or unknown.
     */
    public Optional<String> toE164(String raw, String countryCallingCode) {
        String region = defaultRegion;
        if (countryCallingCode != null && countryCallingCode.trim().matches("\\+?\\d{1,3}")) {
            String r = UTIL.getRegionCodeForCountryCode(Integer.parseInt(countryCallingCode.trim().replace("+", "")));
            if (r != null && !"ZZ".equals(r)) {
                region = r;
            }
        }
        return parse(raw, region).map(n -> UTIL.format(n, PhoneNumberFormat.E164));
    }

    /** True when a stored number (any format) is the same line as the given E.164 number. */
    public boolean sameNumber(String stored, String e164) {
        return e164 != null && toE164(stored).map(e164::equals).orElse(false);
    }

    /** The national significant number (for India the 10 digits), used as a loose search term. */
    public String nationalSignificantNumber(String e164) {
        return parse(e164, defaultRegion).map(UTIL::getNationalSignificantNumber).orElse(digitsOnly(e164));
    }

    /** A readable international form, e.g. {@code +91 98765 43210}. */
    public String pretty(String e164) {
        return parse(e164, defaultRegion).map(n -> UTIL.format(n, PhoneNumberFormat.INTERNATIONAL)).orElse(e164);
    }

    private static Optional<PhoneNumber> parse(String raw, String region) {
        if (raw == null) {
            return Optional.empty();
        }
        String s = raw.trim();
        if (s.isEmpty() || s.length() > 64 || digitsOnly(s).length() < 5) {
            return Optional.empty();
        }
        try {
            PhoneNumber n = UTIL.parse(s, region);
            return UTIL.isValidNumber(n) && !n.hasExtension() ? Optional.of(n) : Optional.empty();
        } catch (NumberParseException e) {
            return Optional.empty();
        }
    }

    private static String digitsOnly(String s) {
        return s == null ? "" : s.replaceAll("\\D", "");
    }
}
