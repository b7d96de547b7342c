// @anycable/serverless-js 0.1.0's own .d.ts files cannot be followed under NodeNext (see
// bench/lib/serverless-js.d.ts); this declares the JWT part the interoperability test uses.
declare module "@anycable/serverless-js" {
  export interface IIdentificator<I = Record<string, unknown>> {
    verify(token: string): Promise<boolean>;
    verifyAndFetch(token: string): Promise<I | null>;
    generateToken(identifiers: I): Promise<string>;
  }
  export function identificator<I = Record<string, unknown>>(secret: string, exp: string): IIdentificator<I>;
}
