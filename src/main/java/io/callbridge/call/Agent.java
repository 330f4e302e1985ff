package io.callbridge.call;

/**
 * A MyOperator user who took part in a call. Any field may be missing: MyOperator's v2
 * {@code call.summary} can carry {@code email: null}, {@code call.end} carries only a phone.
 *
 * @param myOperatorId MyOperator user id / uuid
 * @param phone        E.164 when it could be normalised, otherwise as received
 */
public record Agent(String myOperatorId, String name, String email, String phone, String extension) {

    public Agent {
        myOperatorId = Text.blankToNull(myOperatorId);
        name = Text.blankToNull(name);
        email = Text.blankToNull(email);
        phone = Text.blankToNull(phone);
        extension = Text.blankToNull(extension);
    }

    /** The e-mail as Callbridge compares it ({@link Emails#normalise}); null when absent. */
    public String normalisedEmail() {
        return Emails.normalise(email);
    }

    /** Someone a person reading the note recognises: name, else e-mail, else phone, else id. */
    public String label() {
        if (name != null) {
            return email != null ? name + " <" + email + ">" : name;
        }
        if (email != null) {
            return email;
        }
        return phone != null ? phone : (myOperatorId != null ? "MyOperator user " + myOperatorId : "unknown agent");
    }

    /** Same person: same MyOperator id, else same e-mail, else same phone. */
    public boolean sameAs(Agent other) {
        if (other == null) {
            return false;
        }
        if (myOperatorId != null && other.myOperatorId != null) {
            return myOperatorId.equals(other.myOperatorId);
        }
        if (normalisedEmail() != null && other.normalisedEmail() != null) {
            return normalisedEmail().equals(other.normalisedEmail());
        }
        return phone != null && phone.equals(other.phone);
    }

    /** Fills what this agent lacks from another record of the same agent (e.g. call.end + call.summary). */
    public Agent completedWith(Agent other) {
        if (other == null) {
            return this;
        }
        return new Agent(
                myOperatorId != null ? myOperatorId : other.myOperatorId,
                name != null ? name : other.name,
                email != null ? email : other.email,
                phone != null ? phone : other.phone,
                extension != null ? extension : other.extension);
    }
}
