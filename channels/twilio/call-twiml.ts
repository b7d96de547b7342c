import twilio from "twilio";

/**
 * What the called phone hears: a moment to pick up, the phrase, then twenty seconds for the person
 * to talk (that is what gets transcribed) before the robot hangs up.
 */
export function callTwiml(phrase: string): string {
  const response = new twilio.twiml.VoiceResponse();
  response.pause({ length: 2 });
  response.say(phrase);
  response.pause({ length: 20 });
  response.hangup();
  return response.toString();
}
