import { expect } from "chai";
import express from "express";
import request from "supertest";
import { openApiDocument } from "../../../service/openapi/openApiDocument";
import { ERROR_STATUS } from "../../../service/errors";
import { openapiRoutes } from "../../../service/routes/openapiRoutes";
import { contractViolation } from "../../helpers/apiContract";

const digest = "0x" + "ab".repeat(32);

describe("OpenAPI document", () => {
  it("is served at /v1/openapi.json, public and cacheable, as built", async () => {
    const res = await request(express().use(openapiRoutes())).get("/v1/openapi.json");
    expect(res.status).to.equal(200);
    expect(res.headers["cache-control"]).to.match(/public/);
    expect(res.body).to.deep.equal(openApiDocument());
    expect(res.body.openapi).to.equal("3.1.0");
    expect(res.body.servers).to.deep.equal([{ url: "/", description: "this service" }]);
  });

  it("documents every error code of service/errors.ts under its status", () => {
    const text = JSON.stringify(openApiDocument());
    for (const code of Object.keys(ERROR_STATUS)) expect(text, code).to.include(`"${code}"`);
  });

  describe("the route tests' check", () => {
    it("behavior: accepts a documented answer", () => {
      const body = { error: { code: "NOT_FOUND", message: "no receipt" } };
      expect(contractViolation("GET", `/v1/receipts/${digest}`, 404, "application/json", body)).to.equal(undefined);
    });

    it("error: a body that drifted from the schema", () => {
      const why = contractViolation("GET", "/v1/batches/0x00/1", 200, "application/json", { seq: 1 });
      expect(why).to.match(/does not match the document/);
    });

    it("error: a status the operation does not document", () => {
      const body = { error: { code: "NONCE_CONFLICT", message: "x" } };
      expect(contractViolation("GET", "/v1/info", 409, "application/json", body)).to.match(/lists no 409/);
    });

    it("error: an error code the status does not document", () => {
      const body = { error: { code: "NOT_ANCHORED_YET", message: "x" } };
      expect(contractViolation("GET", `/v1/receipts/${digest}`, 409, "application/json", body)).to.match(
        /lists no 409/,
      );
      const wrong = { error: { code: "FORBIDDEN", message: "x" } };
      expect(contractViolation("GET", `/v1/receipts/${digest}`, 404, "application/json", wrong)).to.match(
        /does not match/,
      );
    });

    it("error: a media type the operation does not answer", () => {
      expect(contractViolation("GET", "/metrics", 200, "application/json", {})).to.match(/documented text\/plain/);
    });

    it("error: a supertest request whose answer drifted fails by itself", async () => {
      const drifted = express().get("/v1/info", (_req, res) => void res.json({ chainId: "31337" }));
      const err = await request(drifted)
        .get("/v1/info")
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.message).to.match(/OpenAPI drift: GET \/v1\/info → 200/);
    });
  });
});
