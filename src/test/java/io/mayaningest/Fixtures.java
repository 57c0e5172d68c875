package io.mayaningest;

import io.mayaningest.testing.FakeMayan;

/** The Mayan set-up the tests expect, the same as the e2e suite creates in a real Mayan. */
public final class Fixtures {

    private Fixtures() {
    }

    public static void create(FakeMayan mayan) {
        long drawing = mayan.createDocumentType("Drawing");
        long invoice = mayan.createDocumentType("Invoice");
        long drawingNo = mayan.createMetadataType("drawing_no", "Drawing number", null, "^\\d{6}$");
        long revision = mayan.createMetadataType("revision", "Revision");
        long invoiceNumber = mayan.createMetadataType("invoice_number", "Invoice number");
        long currency = mayan.createMetadataType("currency", "Currency", "EUR,USD,CHF", null);
        mayan.createMetadataType("orphan", "Attached to no type");
        mayan.attachMetadataType(drawing, drawingNo, false);
        mayan.attachMetadataType(drawing, revision, false);
        mayan.attachMetadataType(invoice, invoiceNumber, true);
        mayan.attachMetadataType(invoice, currency, false);
        mayan.createTag("scanned");
        mayan.createTag("engineering");
        mayan.createTag("urgent");
        long engineering = mayan.createCabinet("Engineering", null);
        mayan.createCabinet("Drawings", engineering);
        mayan.createCabinet("Finance", null);
    }
}
